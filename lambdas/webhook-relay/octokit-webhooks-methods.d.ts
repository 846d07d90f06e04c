// The package only declares its types under `exports`, which tsconfig's `moduleResolution: node` does not read.
// Remove this file once the project resolves with `node16` or `bundler`.
declare module '@octokit/webhooks-methods' {
  /** True when `signature` is `sha256=` + HMAC-SHA256(secret, eventPayload) in hex; compares in constant time. */
  export function verify(secret: string, eventPayload: string, signature: string): Promise<boolean>;
  export function sign(secret: string, payload: string): Promise<string>;
}
