/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // Octokit and its helpers ship ESM only: let swc turn them into CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!(@octokit|universal-github-app-jwt|universal-user-agent|before-after-hook|toad-cache|fast-content-type-parse|content-type|json-with-bigint)/)'],
  moduleNameMapper: {
    '^@octokit/webhooks-methods$': '<rootDir>/node_modules/@octokit/webhooks-methods/dist-node/index.js',
  },
  setupFiles: ['<rootDir>/test/setup/polyfills.ts'],
  testTimeout: 30000,
};
