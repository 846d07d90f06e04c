// The environment the stack gives the GitHub-steps function.
import { ENV } from '../../../statemachine/contracts';
import { aRunnerClass, CLUSTER_ARN, JIT_BUCKET_ARN } from './builders';
import { API_URL, APP_ID } from './github-fixtures';

export const PRIVATE_KEY_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:github-app-key-AbCdEf';

export function stepsEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    [ENV.gitHubAppId]: String(APP_ID),
    [ENV.gitHubApiUrl]: API_URL,
    [ENV.gitHubScope]: JSON.stringify({ type: 'repositories', repositories: ['octo-org/hello-world'] }),
    [ENV.privateKeySecretArn]: PRIVATE_KEY_SECRET_ARN,
    [ENV.runnerClasses]: JSON.stringify([aRunnerClass()]),
    [ENV.runnerNamePrefix]: 'ecs',
    [ENV.jitBucketArn]: JIT_BUCKET_ARN,
    [ENV.clusterArn]: CLUSTER_ARN,
    [ENV.maxAttempts]: '3',
    [ENV.onDemandAfterInterruptions]: '2',
    [ENV.rerunInterruptedJobs]: 'false',
    [ENV.maxRunAttempt]: '3',
    ...overrides,
  };
}
