// The scheduled redelivery Lambda (every few minutes): configuration, the GitHub client, the key reader and the
// memory of deliveries that need nothing more live for the container. Its input (the schedule's event) is unused.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createGitHubClient } from '../github/client';
import { createLogger } from '../shared/logger';
import { createMetrics } from '../shared/metrics';
import { createSecretReader } from '../shared/secrets';
import { readRedeliveryConfig } from './config';
import { redeliverFailedDeliveries, type RedeliverySummary } from './redeliver';

const config = readRedeliveryConfig();
const logger = createLogger({ component: 'redelivery' });
const privateKey = createSecretReader(new SecretsManagerClient({}), config.privateKeySecretArn);
// No waiting out a rate limit inside the Lambda: the run ends and the next scheduled one carries on.
const github = createGitHubClient({ appId: config.gitHubAppId, privateKey: () => privateKey.read(), baseUrl: config.gitHubApiUrl, logger, rateLimitWaitBudgetMs: 0 });
const metrics = createMetrics();
const settledGuids = new Set<string>();

export const handler = (): Promise<RedeliverySummary> => redeliverFailedDeliveries({ github, config, logger, metrics, now: Date.now, settledGuids });
