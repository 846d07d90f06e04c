import { ENV } from '../../../statemachine/contracts';
import { readStepsConfig } from '../../../lambdas/github-steps/config';
import { aStepsConfig } from '../support/builders';
import { stepsEnv } from '../support/env';

describe('readStepsConfig', () => {
  it('parses the environment the stack sets into a typed configuration', () => {
    expect(readStepsConfig(stepsEnv())).toEqual(aStepsConfig());
  });

  it('accepts an organization scope and a GitHub Enterprise Server API URL', () => {
    const config = readStepsConfig(
      stepsEnv({
        [ENV.gitHubScope]: JSON.stringify({ type: 'organization', organization: 'octo-org', runnerGroupId: 4 }),
        [ENV.gitHubApiUrl]: 'https://github.example.com/api/v3/',
      }),
    );

    expect(config.gitHubScope).toEqual({ type: 'organization', organization: 'octo-org', runnerGroupId: 4 });
    expect(config.gitHubApiUrl).toBe('https://github.example.com/api/v3');
  });

  it.each(Object.keys(stepsEnv()))('fails naming %s when it is missing', (variable) => {
    expect(() => readStepsConfig(stepsEnv({ [variable]: undefined }))).toThrow(`Environment variable ${variable} is not set`);
  });

  it.each([
    [ENV.gitHubScope, '{"type":"organization"'],
    [ENV.gitHubScope, JSON.stringify({ type: 'repositories', repositories: ['no-slash'] })],
    [ENV.runnerClasses, JSON.stringify([{ name: 'x' }])],
    [ENV.runnerClasses, '[]'],
    [ENV.jitBucketArn, 'fleet-jit-configs'],
    [ENV.runnerNamePrefix, 'has spaces'],
    [ENV.runnerNamePrefix, 'p'.repeat(33)],
    [ENV.maxAttempts, '0'],
    [ENV.onDemandAfterInterruptions, '-1'],
    [ENV.rerunInterruptedJobs, 'yes'],
    [ENV.maxRunAttempt, '0'],
    [ENV.gitHubApiUrl, 'api.github.com'],
  ])('fails naming %s when it holds %s', (variable, value) => {
    expect(() => readStepsConfig(stepsEnv({ [variable]: value }))).toThrow(`Environment variable ${variable} is invalid`);
  });
});
