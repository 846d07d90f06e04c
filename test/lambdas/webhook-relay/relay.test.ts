import { GITHUB_EVENT } from '../../../statemachine/contracts';
import { createRelay, type PutEventsResult } from '../../../lambdas/webhook-relay/relay';
import { createWebhookSecrets } from '../../../lambdas/webhook-relay/webhook-secrets';
import type { EventEntry } from '../../../lambdas/webhook-relay/workflow-job-event';
import {
  asRecord,
  captureLogs,
  delivery,
  EVENT_BUS_NAME,
  FakeSecretStore,
  functionUrlEvent,
  messageOf,
  ping,
  PREVIOUS_SECRET,
  SECRET,
  SECRET_ARN,
  secretString,
  sign,
  workflowJobQueued,
} from './builders';

const DELIVERY_ID = '72d3162e-cc78-11e3-81ab-4c9367dc0958';

function setUp(options: { secret?: string | Error; maxBodyBytes?: number; putEvents?: (entry: EventEntry) => Promise<PutEventsResult> } = {}) {
  let clock = 1_800_000_000_000;
  const store = new FakeSecretStore(options.secret ?? secretString(SECRET));
  const putEvents = jest.fn(options.putEvents ?? (() => Promise.resolve<PutEventsResult>({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-1' }] })));
  const { logger, lines } = captureLogs();
  const relay = createRelay({
    secrets: createWebhookSecrets(store, { secretArn: SECRET_ARN, now: () => clock }),
    putEvents,
    eventBusName: EVENT_BUS_NAME,
    logger,
    now: () => clock,
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
  });
  return { relay, store, putEvents, lines, advance: (ms: number) => (clock += ms) };
}

function onlyEntry(putEvents: jest.Mock<Promise<PutEventsResult>, [EventEntry]>): EventEntry {
  expect(putEvents).toHaveBeenCalledTimes(1);
  const entry = putEvents.mock.calls[0]?.[0];
  if (entry === undefined) throw new Error('no PutEvents entry');
  return entry;
}

function logLines(lines: string[]): Record<string, unknown>[] {
  return lines.map((line) => asRecord(JSON.parse(line)));
}

describe('createRelay', () => {
  describe('a signed workflow_job delivery', () => {
    it('is put on the bus as exactly one event carrying the payload as sent plus the delivery id', async () => {
      // GIVEN a queued workflow_job delivery signed with the current secret
      const { relay, putEvents } = setUp();

      // WHEN it reaches the relay
      const response = await relay(delivery());

      // THEN it is accepted, and the event is the payload untouched plus x-github-delivery
      expect(response.statusCode).toBe(202);
      expect(response.headers['content-type']).toBe('application/json');
      const { Detail, ...entry } = onlyEntry(putEvents);
      expect(entry).toEqual({ Source: GITHUB_EVENT.source, DetailType: GITHUB_EVENT.workflowJobDetailType, EventBusName: EVENT_BUS_NAME });
      expect(JSON.parse(Detail)).toEqual({ ...workflowJobQueued(), [GITHUB_EVENT.deliveryIdField]: DELIVERY_ID });
    });

    it('leaves the delivery id out when GitHub did not send one', async () => {
      const { relay, putEvents } = setUp();

      await relay(delivery({ deliveryId: null }));

      expect(JSON.parse(onlyEntry(putEvents).Detail)).toEqual(workflowJobQueued());
    });

    it('verifies the decoded bytes when the Function URL base64-encodes the body', async () => {
      const { relay, putEvents } = setUp();

      const response = await relay(delivery({ base64: true }));

      expect(response.statusCode).toBe(202);
      expect(JSON.parse(onlyEntry(putEvents).Detail)).toMatchObject(workflowJobQueued());
    });

    it('reads header names in any case', async () => {
      // GIVEN headers spelled the way GitHub documents them, not lower-cased
      const body = JSON.stringify(workflowJobQueued());
      const event = functionUrlEvent({
        body,
        headers: { 'X-GitHub-Event': 'workflow_job', 'X-GitHub-Delivery': DELIVERY_ID, 'X-Hub-Signature-256': sign(body) },
      });
      const { relay, putEvents } = setUp();

      const response = await relay(event);

      expect(response.statusCode).toBe(202);
      expect(JSON.parse(onlyEntry(putEvents).Detail)).toMatchObject({ [GITHUB_EVENT.deliveryIdField]: DELIVERY_ID });
    });

    it('relays workflow_job actions other than queued too: the rule chooses', async () => {
      const { relay, putEvents } = setUp();

      const response = await relay(delivery({ payload: { ...workflowJobQueued(), action: 'completed' } }));

      expect(response.statusCode).toBe(202);
      expect(JSON.parse(onlyEntry(putEvents).Detail)).toMatchObject({ action: 'completed' });
    });
  });

  describe('events it does not relay', () => {
    it('answers a ping with 202 and a short message, putting nothing', async () => {
      const { relay, putEvents } = setUp();

      const response = await relay(delivery({ event: 'ping', payload: ping() }));

      expect(response.statusCode).toBe(202);
      expect(messageOf(response)).toMatch(/^pong/);
      expect(putEvents).not.toHaveBeenCalled();
    });

    it.each(['push', 'pull_request', 'workflow_run', 'installation'])('answers a %s event with 202 ignored, putting nothing', async (event) => {
      const { relay, putEvents } = setUp();

      const response = await relay(delivery({ event, payload: { action: 'created', repository: { name: 'x' } } }));

      expect(response.statusCode).toBe(202);
      expect(messageOf(response)).toMatch(/^Ignored/);
      expect(putEvents).not.toHaveBeenCalled();
    });
  });

  describe('signatures', () => {
    const body = JSON.stringify(workflowJobQueued());
    it.each([
      ['a forged signature', { body, signature: sign(body, 'guessed secret') }, /does not match/],
      ['a missing signature', { body, signature: null }, /missing: set a webhook secret on the GitHub App/],
      ['a truncated signature', { body, signature: sign(body).slice(0, 40) }, /malformed/],
      ['the wrong algorithm (sha1=)', { body, signature: sign(body).replace('sha256=', 'sha1=') }, /malformed/],
      ['non-hex digits', { body, signature: `sha256=${'g'.repeat(64)}` }, /malformed/],
      ['a signature of another body', { body, signature: sign(`${body} `) }, /does not match/],
    ])('rejects %s with 401 and puts nothing', async (_case, options, message) => {
      const { relay, putEvents } = setUp();

      const response = await relay(delivery(options));

      expect(response.statusCode).toBe(401);
      expect(messageOf(response)).toMatch(message);
      expect(putEvents).not.toHaveBeenCalled();
    });

    it('rejects a malformed signature without reading the secret', async () => {
      const { relay, store } = setUp();

      await relay(delivery({ signature: 'sha1=abc' }));

      expect(store.fetchCount).toBe(0);
    });

    it('accepts a delivery signed with the previous secret while rotating', async () => {
      const { relay, putEvents } = setUp({ secret: secretString(SECRET, PREVIOUS_SECRET) });

      const response = await relay(delivery({ secret: PREVIOUS_SECRET }));

      expect(response.statusCode).toBe(202);
      expect(putEvents).toHaveBeenCalledTimes(1);
    });

    it('picks up a secret rotated after the container read it, on the first delivery that fails with the cached one', async () => {
      // GIVEN a relay that has cached the old secret
      const { relay, store, putEvents } = setUp({ secret: secretString('old secret') });
      await relay(delivery({ secret: 'old secret' }));
      // AND the secret was rotated in Secrets Manager and on the GitHub App
      store.value = secretString('new secret', 'old secret');

      // WHEN a delivery signed with the new secret arrives
      const response = await relay(delivery({ secret: 'new secret' }));

      // THEN the relay re-read the secret once and accepted it
      expect(response.statusCode).toBe(202);
      expect(store.fetchCount).toBe(2);
      expect(putEvents).toHaveBeenCalledTimes(2);
    });

    it('re-reads the secret at most once a minute under a flood of forged deliveries', async () => {
      const { relay, store, putEvents, advance } = setUp();
      const forged = delivery({ secret: 'guessed secret' });

      for (let i = 0; i < 200; i += 1) {
        expect((await relay(forged)).statusCode).toBe(401);
        advance(100);
      }
      // 200 deliveries over 20 s: the first read, and one refresh.
      expect(store.fetchCount).toBe(2);
      advance(60_000);
      await relay(forged);
      expect(store.fetchCount).toBe(3);
      expect(putEvents).not.toHaveBeenCalled();
    });
  });

  describe('bodies', () => {
    it('rejects a body over maxBodyBytes with 413 before reading the secret', async () => {
      const { relay, store, putEvents } = setUp({ maxBodyBytes: 1024 });
      const payload = { ...workflowJobQueued(), padding: 'x'.repeat(2048) };

      const response = await relay(delivery({ payload }));

      expect(response.statusCode).toBe(413);
      expect(messageOf(response)).toMatch(/over the relay's limit of 1024 bytes/);
      expect(store.fetchCount).toBe(0);
      expect(putEvents).not.toHaveBeenCalled();
    });

    it('measures a base64-encoded body by its decoded size', async () => {
      const body = JSON.stringify({ ...workflowJobQueued(), padding: 'x'.repeat(4000) });
      const size = Buffer.byteLength(body);
      const { relay: atLimit } = setUp({ maxBodyBytes: size });
      const { relay: belowLimit } = setUp({ maxBodyBytes: size - 1 });

      expect((await atLimit(delivery({ body, base64: true }))).statusCode).toBe(202);
      expect((await belowLimit(delivery({ body, base64: true }))).statusCode).toBe(413);
    });

    it('accepts a body of the default limit, 256 KiB', async () => {
      const body = paddedBody(256 * 1024 - 200);
      const { relay } = setUp();

      expect((await relay(delivery({ body }))).statusCode).toBe(202);
    });

    it('rejects with 413 a delivery whose event would exceed EventBridge\'s 256 KiB entry limit', async () => {
      // GIVEN a body just under the limit: the delivery id and the event's source push it over
      const body = paddedBody(256 * 1024 - 10);
      const { relay, putEvents } = setUp();

      const response = await relay(delivery({ body }));

      expect(response.statusCode).toBe(413);
      expect(messageOf(response)).toMatch(/over EventBridge's limit/);
      expect(putEvents).not.toHaveBeenCalled();
    });

    it.each([
      ['text', 'hello'],
      ['a form-encoded body', 'payload=%7B%22action%22%3A%22queued%22%7D'],
      ['truncated JSON', '{"action":"queued","workflow_job":{'],
      ['whitespace', '   '],
    ])('rejects %s with 400 when the signature is valid', async (_case, body) => {
      const { relay, putEvents } = setUp();

      const response = await relay(delivery({ body }));

      expect(response.statusCode).toBe(400);
      expect(messageOf(response)).toMatch(/not a JSON object: set the webhook's content type to application\/json/);
      expect(putEvents).not.toHaveBeenCalled();
    });

    it.each(['[]', '"queued"', '42', 'null', 'true'])('rejects the JSON value %s with 400: GitHub sends objects', async (body) => {
      const { relay } = setUp();

      expect((await relay(delivery({ body }))).statusCode).toBe(400);
    });

    it.each([
      ['action', (p: Record<string, unknown>) => delete p.action],
      ['workflow_job.id', (p: Record<string, unknown>) => delete field(p, 'workflow_job').id],
      ['workflow_job.labels', (p: Record<string, unknown>) => (field(p, 'workflow_job').labels = 'self-hosted')],
      ['repository.name', (p: Record<string, unknown>) => delete field(p, 'repository').name],
      ['repository.owner.login', (p: Record<string, unknown>) => delete field(field(p, 'repository'), 'owner').login],
    ])('rejects a workflow_job payload without a valid %s with 400 naming it', async (name, spoil) => {
      const payload = workflowJobQueued();
      spoil(payload);
      const { relay, putEvents } = setUp();

      const response = await relay(delivery({ payload }));

      expect(response.statusCode).toBe(400);
      expect(messageOf(response)).toContain(`no valid ${name}`);
      expect(putEvents).not.toHaveBeenCalled();
    });
  });

  describe('requests', () => {
    it.each(['GET', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'post'])('rejects the method %s with 405 and an Allow header', async (method) => {
      const { relay, putEvents } = setUp();

      const response = await relay(delivery({ method }));

      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe('POST');
      expect(putEvents).not.toHaveBeenCalled();
    });

    it.each([
      ['without', undefined],
      ['with an empty', ''],
    ])('rejects a signed delivery %s X-GitHub-Event with 400', async (_case, value) => {
      const event = delivery();
      if (value === undefined) delete event.headers['x-github-event'];
      else event.headers['x-github-event'] = value;
      const { relay } = setUp();

      const response = await relay(event);

      expect(response.statusCode).toBe(400);
      expect(messageOf(response)).toMatch(/X-GitHub-Event header is missing/);
    });

    it.each([
      ['nothing', undefined],
      ['a string', 'POST /'],
      ['an API Gateway v1 event', { httpMethod: 'POST', body: '{}', headers: {} }],
      ['headers that are not strings', { ...delivery(), headers: { 'x-github-event': 42 } }],
    ])('rejects %s with 400: not a Function URL request', async (_case, event) => {
      const { relay } = setUp();

      expect((await relay(event)).statusCode).toBe(400);
    });
  });

  describe('upstream failures', () => {
    it('fails with 502 when PutEvents throws, so GitHub shows a delivery to redeliver', async () => {
      const { relay } = setUp({ putEvents: () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })) });

      const response = await relay(delivery());

      expect(response.statusCode).toBe(502);
      expect(messageOf(response)).toMatch(/redeliver/);
    });

    it('fails with 502 when EventBridge reports a failed entry', async () => {
      const { relay, lines } = setUp({
        putEvents: () => Promise.resolve({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service error' }] }),
      });

      const response = await relay(delivery());

      expect(response.statusCode).toBe(502);
      expect(logLines(lines)).toEqual([expect.objectContaining({ level: 'error', status: 502, errorCode: 'InternalFailure' })]);
    });

    it.each(['{}', '{"current":""}', '   '])('fails with 503 when the secret is not configured (%s), logging the secret ARN', async (secret) => {
      const { relay, putEvents, lines } = setUp({ secret });

      const response = await relay(delivery());

      expect(response.statusCode).toBe(503);
      expect(messageOf(response)).toMatch(/webhook secret is not configured/);
      expect(lines.join('\n')).toContain(SECRET_ARN);
      expect(putEvents).not.toHaveBeenCalled();
    });

    it('fails with 503 when Secrets Manager cannot be read', async () => {
      const { relay, lines } = setUp({ secret: Object.assign(new Error('Service unavailable'), { name: 'InternalServiceError' }) });

      const response = await relay(delivery());

      expect(response.statusCode).toBe(503);
      expect(messageOf(response)).toMatch(/could not read its webhook secret/);
      expect(lines.join('\n')).toContain('InternalServiceError');
    });
  });

  describe('logging', () => {
    it('logs one line per delivery: delivery id, event, action, status, duration', async () => {
      const { relay, lines } = setUp();

      await relay(delivery());

      const logged = logLines(lines);
      expect(logged).toEqual([
        expect.objectContaining({ level: 'info', deliveryId: DELIVERY_ID, event: 'workflow_job', action: 'queued', status: 202, eventId: 'evt-1' }),
      ]);
      expect(typeof logged[0]?.durationMs).toBe('number');
    });

    it('never logs the body, a secret or a signature, whatever happens to the delivery', async () => {
      // GIVEN a body with a marker in it, and deliveries that pass, fail and rotate
      const marker = 'BODY-MARKER-7f3a';
      const payload = { ...workflowJobQueued(), marker };
      const body = JSON.stringify(payload);
      const { relay, lines, store } = setUp({ secret: secretString(SECRET, PREVIOUS_SECRET) });
      const deliveries = [
        delivery({ payload }),
        delivery({ payload, secret: PREVIOUS_SECRET }),
        delivery({ payload, secret: 'guessed secret' }),
        delivery({ payload, signature: 'sha1=0123456789abcdef0123456789abcdef01234567' }),
        delivery({ payload, event: 'push' }),
        delivery({ body: `not json ${marker}` }),
        delivery({ payload: { ...payload, workflow_job: { labels: [marker] } } }),
      ];

      for (const event of deliveries) await relay(event);
      store.value = secretString('rotated secret');
      await relay(delivery({ payload, secret: 'rotated secret' }));

      // THEN no line holds any of them, nor any signature received or computed
      const text = lines.join('\n');
      expect(lines).toHaveLength(deliveries.length + 1);
      for (const secret of [SECRET, PREVIOUS_SECRET, 'guessed secret', 'rotated secret']) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(sign(body, secret).slice('sha256='.length));
      }
      expect(text).not.toContain(marker);
      expect(text).not.toMatch(/[0-9a-f]{40}/);
    });
  });
});

/** The fixture padded to exactly `sizeBytes` bytes of UTF-8. */
function paddedBody(sizeBytes: number): string {
  const base = JSON.stringify({ ...workflowJobQueued(), padding: '' });
  const body = base.replace('"padding":""', `"padding":"${'x'.repeat(sizeBytes - Buffer.byteLength(base))}"`);
  expect(Buffer.byteLength(body)).toBe(sizeBytes);
  return body;
}

function field(record: Record<string, unknown>, name: string): Record<string, unknown> {
  return asRecord(record[name]);
}
