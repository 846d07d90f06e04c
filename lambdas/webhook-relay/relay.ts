// The webhook relay's core: one GitHub delivery in, at most one EventBridge event out, and an answer that tells
// the GitHub App's admin what was wrong. Collaborators come in as arguments so tests and the sandbox pass fakes.
import type { LogFields, Logger } from '../shared/logger';
import {
  bodySizeBytes,
  functionUrlRequestSchema,
  rawBody,
  readHeaders,
  respond,
  type FunctionUrlResponse,
} from './function-url';
import { isWellFormedSignature, verifySignature } from './verify-signature';
import { WebhookSecretNotConfiguredError, type WebhookSecrets } from './webhook-secrets';
import {
  describePayloadError,
  eventEntrySizeBytes,
  MAX_EVENT_ENTRY_BYTES,
  toEventEntry,
  workflowJobPayloadSchema,
  type EventEntry,
} from './workflow-job-event';

/** EventBridge's entry limit: a bigger body could never be relayed. */
export const DEFAULT_MAX_BODY_BYTES = MAX_EVENT_ENTRY_BYTES;

/** What PutEvents answers, as far as the relay reads it (the SDK's output fits). */
export interface PutEventsResult {
  FailedEntryCount?: number | undefined;
  Entries?: { EventId?: string | undefined; ErrorCode?: string | undefined; ErrorMessage?: string | undefined }[] | undefined;
}

export interface RelayOptions {
  secrets: WebhookSecrets;
  /** Puts one entry on the bus: `PutEvents` with `Entries: [entry]`. */
  putEvents: (entry: EventEntry) => Promise<PutEventsResult>;
  eventBusName: string;
  /** @default 262144 (256 KiB) */
  maxBodyBytes?: number;
  logger: Logger;
  now?: () => number;
}

export type Relay = (request: unknown) => Promise<FunctionUrlResponse>;

interface Outcome {
  status: number;
  message: string;
  /** A short key for log queries. */
  reason: string;
  headers?: Record<string, string>;
  log?: LogFields;
}

/** What the one log line says about the delivery; filled in as the relay learns it. */
interface Trace {
  deliveryId?: string | undefined;
  event?: string | undefined;
  action?: string | undefined;
}

const SIGNATURE_HEADER = 'x-hub-signature-256';

export function createRelay(options: RelayOptions): Relay {
  const { secrets, putEvents, eventBusName, logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const now = options.now ?? Date.now;

  const relay = async (input: unknown, trace: Trace): Promise<Outcome> => {
    const parsedRequest = functionUrlRequestSchema.safeParse(input);
    if (!parsedRequest.success) {
      return { status: 400, reason: 'not-a-function-url-request', message: 'Not a Lambda Function URL request (payload format 2.0): send webhooks to the relay\'s Function URL.' };
    }
    const request = parsedRequest.data;
    const header = readHeaders(request);
    const deliveryId = header('x-github-delivery');
    const eventName = header('x-github-event');
    trace.deliveryId = clip(deliveryId);
    trace.event = clip(eventName);

    if (request.requestContext.http.method !== 'POST') {
      return { status: 405, reason: 'method-not-allowed', headers: { allow: 'POST' }, message: 'Only POST is accepted: GitHub delivers webhooks with POST.' };
    }
    // Before anything that costs: no decoding, hashing or secret read for a body we would refuse anyway.
    const sizeBytes = bodySizeBytes(request);
    if (sizeBytes > maxBodyBytes) {
      return { status: 413, reason: 'body-too-large', log: { sizeBytes }, message: `The body is ${sizeBytes} bytes, over the relay's limit of ${maxBodyBytes} bytes.` };
    }

    const signature = header(SIGNATURE_HEADER);
    if (signature === undefined || signature === '') {
      return { status: 401, reason: 'signature-missing', message: 'X-Hub-Signature-256 header is missing: set a webhook secret on the GitHub App (the "current" value of the relay\'s secret in Secrets Manager).' };
    }
    if (!isWellFormedSignature(signature)) {
      return { status: 401, reason: 'signature-malformed', message: 'X-Hub-Signature-256 header is malformed: expected "sha256=" followed by 64 hex digits.' };
    }
    const body = rawBody(request);
    let verified: boolean;
    try {
      verified = await verifySignature(body, signature, await secrets.read());
      if (!verified) {
        // The secret may have been rotated since this container read it: read it again (throttled) and retry.
        const refreshed = await secrets.refresh();
        if (refreshed) verified = await verifySignature(body, signature, refreshed);
      }
    } catch (error) {
      // 503, not 401: the delivery may well be genuine, and GitHub lets the admin redeliver a failed delivery.
      const notConfigured = error instanceof WebhookSecretNotConfiguredError;
      return {
        status: 503,
        reason: notConfigured ? 'secret-not-configured' : 'secret-unavailable',
        log: { error },
        message: notConfigured
          ? 'The relay\'s webhook secret is not configured: store {"current": "<secret>"} in its Secrets Manager secret and set the same secret on the GitHub App, then redeliver.'
          : 'The relay could not read its webhook secret from Secrets Manager: see the relay\'s log, then redeliver.',
      };
    }
    if (!verified) {
      return { status: 401, reason: 'signature-mismatch', message: 'X-Hub-Signature-256 does not match the body: the GitHub App\'s webhook secret differs from the relay\'s secret in Secrets Manager.' };
    }

    // Authenticated from here on.
    if (eventName === undefined || eventName === '') {
      return { status: 400, reason: 'event-missing', message: 'X-GitHub-Event header is missing: GitHub sets it on every delivery.' };
    }
    const payload = parseJsonObject(body);
    if (payload === undefined) {
      return { status: 400, reason: 'body-not-json-object', message: 'The body is not a JSON object: set the webhook\'s content type to application/json.' };
    }
    trace.action = typeof payload.action === 'string' ? clip(payload.action) : undefined;
    if (eventName === 'ping') {
      return { status: 202, reason: 'ping', message: 'pong: the signature is valid; workflow_job deliveries will be relayed.' };
    }
    if (eventName !== 'workflow_job') {
      return { status: 202, reason: 'ignored', message: 'Ignored: the relay forwards workflow_job events only (subscribe the App to "Workflow job" alone).' };
    }
    const checked = workflowJobPayloadSchema.safeParse(payload);
    if (!checked.success) {
      const { field, problem } = describePayloadError(checked.error);
      return { status: 400, reason: 'invalid-workflow-job', log: { field }, message: `The workflow_job payload has no valid ${field} (${problem}): the fleet's rule needs it.` };
    }

    // The payload itself, not the schema's output: the event carries every field exactly as GitHub sent it.
    const entry = toEventEntry(payload, deliveryId, eventBusName);
    const entryBytes = eventEntrySizeBytes(entry);
    if (entryBytes > MAX_EVENT_ENTRY_BYTES) {
      // A redelivery would fail the same way: say so rather than ask for one.
      return { status: 413, reason: 'event-too-large', log: { entryBytes }, message: `The event would be ${entryBytes} bytes, over EventBridge's limit of ${MAX_EVENT_ENTRY_BYTES} bytes.` };
    }
    return await putEvent(entry);
  };

  const putEvent = async (entry: EventEntry): Promise<Outcome> => {
    const failed = (log: LogFields): Outcome => ({
      status: 502,
      reason: 'put-events-failed',
      log,
      message: 'EventBridge did not accept the event: redeliver it from the GitHub App\'s "Recent Deliveries".',
    });
    let result: PutEventsResult;
    try {
      result = await putEvents(entry);
    } catch (error) {
      return failed({ error });
    }
    const first = result.Entries?.[0];
    if ((result.FailedEntryCount ?? 0) > 0) return failed({ errorCode: first?.ErrorCode, errorMessage: first?.ErrorMessage });
    return { status: 202, reason: 'relayed', log: { eventId: first?.EventId }, message: 'Relayed to EventBridge.' };
  };

  return async (input) => {
    const startedAt = now();
    const trace: Trace = {};
    let outcome: Outcome;
    try {
      outcome = await relay(input, trace);
    } catch (error) {
      // Every expected failure has an answer above: this is a bug, and GitHub should show a failed delivery.
      outcome = { status: 500, reason: 'internal-error', log: { error }, message: 'The relay failed unexpectedly: see its log, then redeliver.' };
    }
    // One line per delivery. Never the body, a secret or a signature: only what identifies and classifies it.
    const fields: LogFields = { ...trace, status: outcome.status, reason: outcome.reason, durationMs: now() - startedAt, ...outcome.log };
    if (outcome.status >= 500) logger.error('webhook delivery failed', fields);
    else if (outcome.status >= 400) logger.warn('webhook delivery rejected', fields);
    else logger.info('webhook delivery accepted', fields);
    return respond(outcome.status, outcome.message, outcome.headers);
  };
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The error's message quotes the body: it is dropped on purpose.
    return undefined;
  }
  return isRecord(value) ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Header values come from anyone on the internet: keep log lines short. */
function clip(value: string | undefined): string | undefined {
  return value === undefined ? undefined : value.slice(0, 100);
}
