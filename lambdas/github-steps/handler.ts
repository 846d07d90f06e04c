// The Lambda behind `Mint token` and `Clean up`: configuration, clients and the key reader live for the container.
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { LifecycleState } from '../../statemachine/contracts';
import { createGitHubClient } from '../github/client';
import { createLogger } from '../shared/logger';
import { createMetrics } from '../shared/metrics';
import { createSecretReader } from '../shared/secrets';
import { readStepsConfig } from './config';
import { createGitHubSteps } from './steps';

const config = readStepsConfig();
const logger = createLogger({ component: 'github-steps' });
const privateKey = createSecretReader(new SecretsManagerClient({}), config.privateKeySecretArn);

const steps = createGitHubSteps({
  github: createGitHubClient({ appId: config.gitHubAppId, privateKey: () => privateKey.read(), baseUrl: config.gitHubApiUrl, logger }),
  s3: new S3Client({}),
  ecs: new ECSClient({}),
  config,
  logger,
  metrics: createMetrics(),
});

export const handler = (input: unknown): Promise<LifecycleState> => steps(input);
