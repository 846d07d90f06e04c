// Builders for the relay's tests: real-shaped Function URL events carrying signed GitHub deliveries.
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';
import { createLogger, type Logger } from '../../../lambdas/shared/logger';

export const SECRET = 'It is the current webhook secret, 48 characters!';
export const PREVIOUS_SECRET = 'the previous webhook secret, kept while rotating';
export const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:WebhookSecret-AbCdEf';
export const EVENT_BUS_NAME = 'runner-fleet';

/** A queued workflow_job payload with the fields GitHub sends (a fresh copy per call). */
export function workflowJobQueued(): Record<string, unknown> {
  return asRecord(JSON.parse(WORKFLOW_JOB_QUEUED));
}
const WORKFLOW_JOB_QUEUED = readFileSync(path.join(__dirname, 'fixtures', 'workflow-job-queued.json'), 'utf8');

/** The same object, typed as a record (no copy: tests mutate payloads through it). */
export function asRecord(value: unknown): Record<string, unknown> {
  if (!isRecord(value)) throw new Error(`expected a JSON object, got ${JSON.stringify(value)}`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function ping(): Record<string, unknown> {
  return {
    zen: 'Keep it logically awesome.',
    hook_id: 498765432,
    hook: { type: 'App', id: 498765432, name: 'web', active: true, events: ['workflow_job'], app_id: 1234567 },
  };
}

/** `sha256=<hex>` the way GitHub computes it, independently of the code under test. */
export function sign(body: string, secret: string = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export interface FunctionUrlEvent {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string>;
  requestContext: { http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string } } & Record<string, unknown>;
  body?: string;
  isBase64Encoded: boolean;
}

export function functionUrlEvent(options: { body?: string; headers?: Record<string, string>; method?: string; isBase64Encoded?: boolean } = {}): FunctionUrlEvent {
  const event: FunctionUrlEvent = {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: {
      host: 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws',
      'user-agent': 'GitHub-Hookshot/9c7ed2a',
      accept: '*/*',
      'content-type': 'application/json',
      ...options.headers,
    },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefghijklmnopqrstuvwxyz012345',
      domainName: 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws',
      http: { method: options.method ?? 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '140.82.115.1', userAgent: 'GitHub-Hookshot/9c7ed2a' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: '04/Dec/2026:09:15:03 +0000',
      timeEpoch: 1_796_375_703_000,
    },
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
  if (options.body !== undefined) event.body = options.body;
  return event;
}

export interface DeliveryOptions {
  /** The body as GitHub sends it; defaults to the compact JSON of `payload`. */
  body?: string;
  payload?: unknown;
  event?: string;
  deliveryId?: string | null;
  secret?: string;
  /** Overrides the computed signature; `null` leaves the header out. */
  signature?: string | null;
  base64?: boolean;
  method?: string;
  /** Extra headers, or header names to spell differently. */
  headers?: Record<string, string>;
}

/** A Function URL event carrying a GitHub delivery, signed with `secret` unless told otherwise. */
export function delivery(options: DeliveryOptions = {}): FunctionUrlEvent {
  const body = options.body ?? JSON.stringify(options.payload ?? workflowJobQueued());
  const signature = options.signature === undefined ? sign(body, options.secret ?? SECRET) : options.signature;
  const deliveryId = options.deliveryId === undefined ? '72d3162e-cc78-11e3-81ab-4c9367dc0958' : options.deliveryId;
  const headers: Record<string, string> = {
    'x-github-event': options.event ?? 'workflow_job',
    'x-github-hook-id': '498765432',
    'x-github-hook-installation-target-id': '1234567',
    'x-github-hook-installation-target-type': 'integration',
    // GitHub still sends the SHA-1 signature alongside; the relay must ignore it (and never log it).
    'x-hub-signature': `sha1=${createHmac('sha1', options.secret ?? SECRET).update(body, 'utf8').digest('hex')}`,
  };
  if (deliveryId !== null) headers['x-github-delivery'] = deliveryId;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return functionUrlEvent({
    body: options.base64 === true ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: options.base64 === true,
    headers: { ...headers, ...options.headers },
    ...(options.method === undefined ? {} : { method: options.method }),
  });
}

/** A logger whose lines the test can read. */
export function captureLogs(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ component: 'webhook-relay' }, (line) => lines.push(line)), lines };
}

/** A stand-in for the shared SecretReader: a value the test changes, and a count of reads from "Secrets Manager". */
export class FakeSecretStore {
  fetchCount = 0;
  private cached: string | undefined;

  constructor(public value: string | Error) {}

  read({ forceRefresh = false }: { forceRefresh?: boolean } = {}): Promise<string> {
    if (this.cached !== undefined && !forceRefresh) return Promise.resolve(this.cached);
    this.fetchCount += 1;
    if (this.value instanceof Error) return Promise.reject(this.value);
    this.cached = this.value;
    return Promise.resolve(this.value);
  }
}

/** The secret in Secrets Manager, in the format the stack generates. */
export function secretString(current: string, previous?: string): string {
  return JSON.stringify(previous === undefined ? { current } : { current, previous });
}

/** The JSON body of a relay response. */
export function messageOf(response: { body: string }): string {
  return z.object({ message: z.string() }).parse(JSON.parse(response.body)).message;
}
