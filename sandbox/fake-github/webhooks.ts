// Webhook deliveries as GitHub makes them: the exact body bytes signed with HMAC-SHA256, GitHub's headers, one
// attempt only (GitHub never redelivers by itself), every attempt recorded for the deliveries API.
import { createHmac, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { EventLog } from './events';
import { isoSeconds } from './json';
import type { WebhookDeliveryView, WebhookRequest, WebhookTarget } from './types';

/** GitHub gives a receiver 10 seconds to answer. */
const DELIVERY_TIMEOUT_MS = 10_000;
const HOOK_ID = 4_200_001;

export interface DeliveryRecord extends WebhookDeliveryView {
  url: string | null;
  request: WebhookRequest;
  response: { headers: Record<string, string>; payload: string | null };
}

interface Message {
  guid: string;
  event: string;
  action: string | null;
  body: string;
  installationId: number | null;
  repositoryId: number | null;
  jobId: number | null;
}

export function signatureOf(secret: string, body: string, algorithm: 'sha256' | 'sha1' = 'sha256'): string {
  return `${algorithm}=${createHmac(algorithm, secret).update(body).digest('hex')}`;
}

export class WebhookSender {
  private readonly records: DeliveryRecord[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private nextDeliveryId = 100_000_000_001;

  constructor(
    private readonly target: WebhookTarget | undefined,
    private readonly appId: number | string,
    private readonly now: () => number,
    private readonly events: EventLog,
  ) {}

  /** Starts one delivery; it is recorded when the receiver answered or failed. */
  send(event: string, payload: Record<string, unknown>, meta: { installationId: number | null; repositoryId: number | null; jobId: number | null }): void {
    const action = typeof payload['action'] === 'string' ? payload['action'] : null;
    this.attempt({ guid: randomUUID(), event, action, body: JSON.stringify(payload), ...meta }, false);
  }

  /** Sends a recorded delivery again (same GUID, same body); false when there is no such delivery. */
  redeliver(deliveryId: number): boolean {
    const original = this.records.find((record) => record.id === deliveryId);
    if (!original) return false;
    this.attempt(
      {
        guid: original.guid,
        event: original.event,
        action: original.action,
        body: original.request.body,
        installationId: original.installationId,
        repositoryId: original.repositoryId,
        jobId: original.jobId,
      },
      true,
    );
    return true;
  }

  /** Deliveries, newest first, as the API lists them. */
  list(): DeliveryRecord[] {
    return [...this.records].reverse();
  }

  get(deliveryId: number): DeliveryRecord | undefined {
    return this.records.find((record) => record.id === deliveryId);
  }

  inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Resolves when every delivery started so far (and any started meanwhile) has been recorded. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private attempt(message: Message, redelivery: boolean): void {
    if (!this.target) return;
    const target = this.target;
    const request: WebhookRequest = { headers: this.headersFor(message, target.secret), body: message.body };
    const delivery = this.post(target, request).then((outcome) => this.record(message, request, redelivery, outcome, target));
    this.inFlight.add(delivery);
    // A failure in recording surfaces through settled(); the bookkeeping chain itself must not be unhandled.
    delivery.finally(() => this.inFlight.delete(delivery)).catch(() => undefined);
  }

  private headersFor(message: Message, secret: string): Record<string, string> {
    return {
      Accept: '*/*',
      'Content-Type': 'application/json',
      'User-Agent': 'GitHub-Hookshot/f4k3d1e',
      'X-GitHub-Delivery': message.guid,
      'X-GitHub-Event': message.event,
      'X-GitHub-Hook-ID': String(HOOK_ID),
      'X-GitHub-Hook-Installation-Target-ID': String(this.appId),
      'X-GitHub-Hook-Installation-Target-Type': 'integration',
      'X-Hub-Signature': signatureOf(secret, message.body, 'sha1'),
      'X-Hub-Signature-256': signatureOf(secret, message.body),
    };
  }

  private async post(target: WebhookTarget, request: WebhookRequest): Promise<Outcome> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started) / 1000;
    try {
      if ('deliver' in target) {
        const { status } = await target.deliver(request);
        return { statusCode: status, payload: null, headers: {}, duration: elapsed(), failure: null };
      }
      const response = await fetch(target.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      const payload = await response.text();
      return { statusCode: response.status, payload, headers: Object.fromEntries(response.headers), duration: elapsed(), failure: null };
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      return { statusCode: timedOut ? 504 : 502, payload: null, headers: {}, duration: elapsed(), failure: timedOut ? 'timed out' : 'failed to connect' };
    }
  }

  private record(message: Message, request: WebhookRequest, redelivery: boolean, outcome: Outcome, target: WebhookTarget): void {
    const ok = outcome.failure === null && outcome.statusCode >= 200 && outcome.statusCode < 300;
    const status = outcome.failure ?? (ok ? 'OK' : `Invalid HTTP Response: ${outcome.statusCode}`);
    const record: DeliveryRecord = {
      id: this.nextDeliveryId++,
      guid: message.guid,
      deliveredAtMs: this.now(),
      redelivery,
      duration: outcome.duration,
      status,
      statusCode: outcome.statusCode,
      event: message.event,
      action: message.action,
      installationId: message.installationId,
      repositoryId: message.repositoryId,
      jobId: message.jobId,
      url: 'url' in target ? target.url : null,
      request,
      response: { headers: outcome.headers, payload: outcome.payload },
    };
    this.records.push(record);
    this.events.record(ok ? 'webhook-delivered' : 'webhook-failed', {
      ...(message.jobId === null ? {} : { jobId: message.jobId }),
      detail: `${message.event}.${message.action ?? ''} ${status}${redelivery ? ' (redelivery)' : ''}`,
    });
  }
}

interface Outcome {
  statusCode: number;
  payload: string | null;
  headers: Record<string, string>;
  duration: number;
  failure: string | null;
}

export function deliveryJson(record: DeliveryRecord): Record<string, unknown> {
  return {
    id: record.id,
    guid: record.guid,
    delivered_at: isoSeconds(record.deliveredAtMs),
    redelivery: record.redelivery,
    duration: record.duration,
    status: record.status,
    status_code: record.statusCode,
    event: record.event,
    action: record.action,
    installation_id: record.installationId,
    repository_id: record.repositoryId,
    throttled_at: null,
  };
}
