import { readSweeperConfig, type SweeperConfig } from '../../../lambdas/sweeper/config';
import { ENV } from '../../../statemachine/contracts';
import { CLUSTER_ARN, JIT_BUCKET_ARN } from '../support/builders';
import { PRIVATE_KEY_SECRET_ARN } from '../support/env';
import { API_URL, APP_ID } from '../support/github-fixtures';

/** The environment the stack gives the sweeper function. */
function sweeperEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    [ENV.gitHubAppId]: String(APP_ID),
    [ENV.gitHubApiUrl]: API_URL,
    [ENV.gitHubScope]: JSON.stringify({ type: 'organization', organization: 'octo-org', runnerGroupId: 3 }),
    [ENV.privateKeySecretArn]: PRIVATE_KEY_SECRET_ARN,
    [ENV.runnerNamePrefix]: 'ecs',
    [ENV.jitBucketArn]: JIT_BUCKET_ARN,
    [ENV.clusterArn]: CLUSTER_ARN,
    [ENV.maxTaskAgeSeconds]: '22200',
    ...overrides,
  };
}

describe('readSweeperConfig', () => {
  it('parses the environment the stack sets, with the defaults for what it leaves out', () => {
    expect(readSweeperConfig(sweeperEnv())).toEqual<SweeperConfig>({
      gitHubAppId: APP_ID,
      gitHubApiUrl: API_URL,
      gitHubScope: { type: 'organization', organization: 'octo-org', runnerGroupId: 3 },
      privateKeySecretArn: PRIVATE_KEY_SECRET_ARN,
      runnerNamePrefix: 'ecs',
      jitBucketArn: JIT_BUCKET_ARN,
      clusterArn: CLUSTER_ARN,
      graceSeconds: 600,
      jitFileMaxAgeSeconds: 3600,
      maxTaskAgeSeconds: 22200,
      maxActionsPerRun: 100,
      maxRunnerPages: 10,
    });
  });

  it('takes the grace period and JIT file age from the environment, and a repositories scope', () => {
    const config = readSweeperConfig(
      sweeperEnv({
        [ENV.sweeperGraceSeconds]: '900',
        [ENV.jitFileMaxAgeSeconds]: '7200',
        [ENV.gitHubScope]: JSON.stringify({ type: 'repositories', repositories: ['octo-org/hello-world', 'octo-org/other'] }),
        [ENV.gitHubApiUrl]: 'https://github.example.com/api/v3/',
      }),
    );

    expect(config).toMatchObject({
      graceSeconds: 900,
      jitFileMaxAgeSeconds: 7200,
      gitHubScope: { type: 'repositories', repositories: ['octo-org/hello-world', 'octo-org/other'] },
      gitHubApiUrl: 'https://github.example.com/api/v3',
    });
  });

  it('treats an empty optional variable as unset', () => {
    expect(readSweeperConfig(sweeperEnv({ [ENV.sweeperGraceSeconds]: '' })).graceSeconds).toBe(600);
  });

  it.each([ENV.gitHubAppId, ENV.gitHubApiUrl, ENV.gitHubScope, ENV.privateKeySecretArn, ENV.runnerNamePrefix, ENV.jitBucketArn, ENV.clusterArn, ENV.maxTaskAgeSeconds])(
    'fails naming %s when it is missing',
    (variable) => {
      expect(() => readSweeperConfig(sweeperEnv({ [variable]: undefined }))).toThrow(`Environment variable ${variable} is not set`);
    },
  );

  it.each([
    [ENV.maxTaskAgeSeconds, '0'],
    [ENV.maxTaskAgeSeconds, 'six hours'],
    [ENV.sweeperGraceSeconds, '-1'],
    [ENV.jitFileMaxAgeSeconds, '1.5'],
    [ENV.gitHubScope, JSON.stringify({ type: 'repositories', repositories: ['no-slash'] })],
    [ENV.jitBucketArn, 'fleet-jit-configs'],
    [ENV.runnerNamePrefix, 'has spaces'],
    [ENV.clusterArn, 'runners'],
  ])('fails naming %s when it holds %s', (variable, value) => {
    expect(() => readSweeperConfig(sweeperEnv({ [variable]: value }))).toThrow(`Environment variable ${variable} is invalid`);
  });
});
