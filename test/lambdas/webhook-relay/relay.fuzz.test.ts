// Generated bad deliveries from a seeded PRNG: every one gets its expected 4xx, none reaches EventBridge, none
// gets a 5xx. Set RELAY_FUZZ_SEED to explore other seeds; a failure prints the seed and the case.
import { createHmac } from 'node:crypto';
import { createRelay, type PutEventsResult } from '../../../lambdas/webhook-relay/relay';
import { createWebhookSecrets } from '../../../lambdas/webhook-relay/webhook-secrets';
import { asRecord, captureLogs, delivery, EVENT_BUS_NAME, FakeSecretStore, messageOf, PREVIOUS_SECRET, SECRET, SECRET_ARN, secretString, sign, workflowJobQueued } from './builders';

const SEED = Number(process.env.RELAY_FUZZ_SEED ?? 20_261_204);
const CASES = 1_500;
// Above the fixture (3 KB), so that only the oversize cases cross it.
const MAX_BODY_BYTES = 8_192;

/** mulberry32: a tiny, fast, seedable PRNG (uniform in [0, 1)). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  bool(): boolean {
    return this.next() < 0.5;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }
  hex(length: number): string {
    return Array.from({ length }, () => '0123456789abcdef'[this.int(0, 15)]).join('');
  }
  /** Text from ASCII, Latin, CJK and emoji code points (no lone surrogates). */
  text(length: number): string {
    const ranges: [number, number][] = [[0x20, 0x7e], [0x20, 0x7e], [0x00, 0x1f], [0xa0, 0x17f], [0x4e00, 0x4fff], [0x1f600, 0x1f64f]];
    return Array.from({ length }, () => {
      const [low, high] = this.pick(ranges);
      return String.fromCodePoint(this.int(low, high));
    }).join('');
  }
  /** At least `minBytes` bytes of text: a random chunk repeated (random code point by code point is slow). */
  bulk(minBytes: number): string {
    const chunk = this.text(64);
    return chunk.repeat(Math.ceil(minBytes / Buffer.byteLength(chunk)) + this.int(0, 64));
  }
  /** Upper- or lower-cases each letter: header names arrive in any case. */
  anyCase(name: string): string {
    return [...name].map((c) => (this.bool() ? c.toUpperCase() : c)).join('');
  }
}

const EXPECTED_STATUS = {
  'not a Function URL request': 400,
  'method other than POST': 405,
  'body over the limit': 413,
  'missing signature': 401,
  'malformed signature': 401,
  'forged signature': 401,
  'empty body': 401,
  'signed body that is not JSON': 400,
  'signed JSON that is not an object': 400,
  'signed workflow_job without a field the rule needs': 400,
  'signed delivery without X-GitHub-Event': 400,
} as const;
type Kind = keyof typeof EXPECTED_STATUS;
const KINDS = Object.keys(EXPECTED_STATUS) as Kind[];

function compactFixture(): string {
  return JSON.stringify(workflowJobQueued());
}

function notJson(random: Random): string {
  for (;;) {
    const fixture = compactFixture();
    const candidate = random.pick([
      () => random.text(random.int(1, 200)),
      () => fixture.slice(0, random.int(1, fixture.length - 1)),
      () => `payload=${encodeURIComponent(fixture)}`,
      () => `${fixture}${random.pick(['}', ',', 'x', ']'])}`,
      () => `<?xml version="1.0"?><hook>${random.text(10)}</hook>`,
      () => fixture.replace(/"/g, "'"),
      () => ' '.repeat(random.int(1, 5)),
    ])();
    if (candidate !== '' && !parses(candidate)) return candidate;
  }
}

function notAnObject(random: Random): string {
  const value = random.pick<() => unknown>([
    () => random.int(-1e6, 1e6),
    () => random.text(random.int(0, 30)),
    () => [workflowJobQueued()],
    () => [],
    () => null,
    () => random.bool(),
  ])();
  const space = ' '.repeat(random.int(0, 2));
  return `${space}${JSON.stringify(value)}${space}`;
}

function spoiledWorkflowJob(random: Random): string {
  const payload = workflowJobQueued();
  const job = asRecord(payload.workflow_job);
  const repository = asRecord(payload.repository);
  const owner = asRecord(repository.owner);
  random.pick([
    () => delete payload.action,
    () => (payload.action = random.pick([42, '', null, ['queued']])),
    () => delete payload.workflow_job,
    () => (payload.workflow_job = random.pick(['job', 7, null, []])),
    () => delete job.id,
    () => (job.id = random.pick(['29679449605', -1, 0, 1.5, null])),
    () => delete job.labels,
    () => (job.labels = random.pick(['self-hosted', null, [1, 2], [null], { 0: 'linux' }])),
    () => delete payload.repository,
    () => delete repository.name,
    () => (repository.name = random.pick(['', 12, null])),
    () => delete repository.owner,
    () => delete owner.login,
    () => (owner.login = random.pick(['', 5, null])),
  ])();
  return JSON.stringify(payload);
}

function malformedSignature(random: Random, body: string): string {
  const valid = sign(body === '' ? 'x' : body);
  const digits = valid.slice('sha256='.length);
  return random.pick([
    () => `sha1=${createHmac('sha1', SECRET).update(body).digest('hex')}`,
    () => `sha256=${digits.slice(0, random.int(0, 63))}`,
    () => `sha256=${digits}${random.hex(random.int(1, 8))}`,
    () => `sha256=${digits.toUpperCase()}`,
    () => `SHA256=${digits}`,
    () => digits,
    () => `sha512=${random.hex(128)}`,
    () => ` ${valid}`,
    () => `${valid} `,
    () => `sha256=${digits.slice(0, 10)}${random.pick(['g', 'z', ' ', '-', 'é'])}${digits.slice(11)}`,
    () => random.text(random.int(1, 80)),
    () => `${valid},${valid}`,
  ])();
}

function forgedSignature(random: Random, body: string, base64: boolean): string {
  return random.pick([
    () => `sha256=${random.hex(64)}`,
    () => sign(body, random.text(random.int(1, 48))),
    () => sign(body, `${SECRET} `),
    () => sign(`${body} `),
    () => sign(body.slice(0, -1)),
    () => (base64 ? sign(Buffer.from(body).toString('base64')) : sign(body.toUpperCase() === body ? `${body}!` : body.toUpperCase())),
  ])();
}

/** A delivery with the given body and signature, its encoding and header spelling chosen at random. */
function request(random: Random, options: { body: string; signature?: string | null | undefined; event?: string; method?: string; base64?: boolean }) {
  const base64 = options.base64 ?? random.bool();
  const event = delivery({
    body: options.body,
    base64,
    secret: random.pick([SECRET, PREVIOUS_SECRET]),
    ...(options.signature === undefined ? {} : { signature: options.signature }),
    ...(options.event === undefined ? {} : { event: options.event }),
    ...(options.method === undefined ? {} : { method: options.method }),
    ...(random.bool() ? { deliveryId: null } : {}),
  });
  event.headers = Object.fromEntries(Object.entries(event.headers).map(([name, value]) => [random.anyCase(name), value]));
  return event;
}

function generate(random: Random, kind: Kind): unknown {
  const event = random.pick(['workflow_job', 'workflow_job', 'ping', 'push']);
  switch (kind) {
    case 'not a Function URL request':
      return random.pick<() => unknown>([
        () => undefined,
        () => null,
        () => random.text(20),
        () => random.int(0, 1000),
        () => [],
        () => ({}),
        () => ({ body: compactFixture(), headers: {} }),
        () => ({ requestContext: {} }),
        () => ({ requestContext: { http: {} } }),
        () => ({ ...request(random, { body: compactFixture() }), body: random.int(0, 9) }),
        () => ({ ...request(random, { body: compactFixture() }), isBase64Encoded: 'true' }),
        () => ({ ...request(random, { body: compactFixture() }), headers: { 'x-hub-signature-256': [sign('x')] } }),
      ])();
    case 'method other than POST':
      return request(random, { body: compactFixture(), method: random.pick(['GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'post', 'Post', random.text(4), '']) });
    case 'body over the limit': {
      const body = random.bool()
        ? JSON.stringify({ ...workflowJobQueued(), padding: random.bulk(MAX_BODY_BYTES) })
        : random.bulk(MAX_BODY_BYTES + 1);
      const signature = random.pick([undefined, null, `sha256=${random.hex(64)}`, 'garbage']);
      return request(random, { body, signature });
    }
    case 'missing signature':
      return request(random, { body: random.pick([compactFixture(), notJson(random)]), signature: random.pick([null, '']), event });
    case 'malformed signature': {
      const body = random.pick([compactFixture(), notJson(random), notAnObject(random)]);
      return request(random, { body, signature: malformedSignature(random, body), event });
    }
    case 'forged signature': {
      const body = random.pick([compactFixture(), notJson(random), notAnObject(random), spoiledWorkflowJob(random)]);
      const base64 = random.bool();
      if (random.int(0, 5) === 0) {
        // A genuine signature, but the encoding flag lies: the relay verifies other bytes than GitHub signed.
        const mislabeled = request(random, { body, base64, event });
        mislabeled.isBase64Encoded = !base64;
        return mislabeled;
      }
      return request(random, { body, base64, signature: forgedSignature(random, body, base64), event });
    }
    case 'empty body': {
      const event = request(random, { body: '', signature: random.pick([sign(''), `sha256=${random.hex(64)}`]) });
      if (random.bool()) delete event.body;
      return event;
    }
    case 'signed body that is not JSON':
      return request(random, { body: notJson(random), event });
    case 'signed JSON that is not an object':
      return request(random, { body: notAnObject(random), event });
    case 'signed workflow_job without a field the rule needs':
      return request(random, { body: spoiledWorkflowJob(random) });
    case 'signed delivery without X-GitHub-Event': {
      const delivered = request(random, { body: compactFixture() });
      delivered.headers = Object.fromEntries(Object.entries(delivered.headers).filter(([name]) => name.toLowerCase() !== 'x-github-event'));
      return delivered;
    }
  }
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('relay fuzz', () => {
  it(`answers ${CASES} generated bad deliveries (seed ${SEED}) with their expected 4xx, never a 5xx, and puts nothing`, async () => {
    // GIVEN a relay with a current and a previous secret, and a frozen clock (so at most one refresh)
    const store = new FakeSecretStore(secretString(SECRET, PREVIOUS_SECRET));
    const putEvents = jest.fn((): Promise<PutEventsResult> => Promise.resolve({ FailedEntryCount: 0 }));
    const { logger, lines } = captureLogs();
    const relay = createRelay({
      secrets: createWebhookSecrets(store, { secretArn: SECRET_ARN, now: () => 0 }),
      putEvents,
      eventBusName: EVENT_BUS_NAME,
      maxBodyBytes: MAX_BODY_BYTES,
      logger,
      now: () => 0,
    });
    const random = new Random(SEED);
    const mismatches: string[] = [];
    const seen = new Map<Kind, number>();

    // WHEN each generated case reaches it
    for (let i = 0; i < CASES; i += 1) {
      const kind = KINDS[i % KINDS.length] as Kind;
      const event = generate(random, kind);
      const response = await relay(event);
      seen.set(kind, (seen.get(kind) ?? 0) + 1);
      const expected = EXPECTED_STATUS[kind];
      if (response.statusCode !== expected || messageOf(response) === '') {
        mismatches.push(`#${i} ${kind}: expected ${expected}, got ${response.statusCode} ${response.body} for ${JSON.stringify(event)?.slice(0, 300)}`);
      }
    }

    // THEN every case got its status, nothing reached EventBridge, and Secrets Manager was read twice at most
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(putEvents).not.toHaveBeenCalled();
    expect(store.fetchCount).toBeLessThanOrEqual(2);
    expect([...seen.values()].every((count) => count >= 100)).toBe(true);
    expect(lines).toHaveLength(CASES);
    const logged = lines.join('\n');
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toContain(PREVIOUS_SECRET);
  });
});
