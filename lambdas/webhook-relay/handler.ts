// Lambda entry point of the webhook relay, behind a Function URL. Configuration, clients and the secret cache live
// at module scope: read and created once per container.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { ENV } from '../../statemachine/contracts';
import { positiveIntEnv, readEnv } from '../shared/env';
import { createLogger } from '../shared/logger';
import { createSecretReader } from '../shared/secrets';
import { createRelay, DEFAULT_MAX_BODY_BYTES } from './relay';
import { createWebhookSecrets } from './webhook-secrets';
import { MAX_EVENT_ENTRY_BYTES } from './workflow-job-event';

const secretArn = readEnv(ENV.webhookSecretArn, z.string().min(1));
const eventBusName = readEnv(ENV.eventBusName, z.string().min(1));
const maxBodyBytes = process.env[ENV.maxWebhookBytes]
  ? readEnv(ENV.maxWebhookBytes, positiveIntEnv.max(MAX_EVENT_ENTRY_BYTES))
  : DEFAULT_MAX_BODY_BYTES;

// GitHub gives up after 10 s: bound each AWS call so the relay still answers (default: 3 attempts).
const requestHandler = { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true };
const eventBridge = new EventBridgeClient({ requestHandler });
const secretsManager = new SecretsManagerClient({ requestHandler });

export const handler = createRelay({
  secrets: createWebhookSecrets(createSecretReader(secretsManager, secretArn), { secretArn }),
  putEvents: (entry) => eventBridge.send(new PutEventsCommand({ Entries: [entry] })),
  eventBusName,
  maxBodyBytes,
  logger: createLogger({ component: 'webhook-relay' }),
});
