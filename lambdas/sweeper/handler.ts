// The scheduled sweeper Lambda: configuration, clients and the key reader live for the container; each scheduled
// invocation is one bounded sweep (its event carries nothing the sweep needs).
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createGitHubClient } from '../github/client';
import { createLogger } from '../shared/logger';
import { createMetrics } from '../shared/metrics';
import { createSecretReader } from '../shared/secrets';
import { readSweeperConfig } from './config';
import { sweep, type SweepSummary } from './sweep';

const config = readSweeperConfig();
const logger = createLogger({ component: 'sweeper' });
const privateKey = createSecretReader(new SecretsManagerClient({}), config.privateKeySecretArn);
// No waiting out a rate limit here: the lifecycle needs GitHub's budget more, and the next run comes in minutes.
const github = createGitHubClient({ appId: config.gitHubAppId, privateKey: () => privateKey.read(), baseUrl: config.gitHubApiUrl, logger, rateLimitWaitBudgetMs: 0 });
const s3 = new S3Client({});
const ecs = new ECSClient({});
const metrics = createMetrics();

export const handler = (): Promise<SweepSummary> => sweep({ github, s3, ecs, config, logger, metrics, now: Date.now });
