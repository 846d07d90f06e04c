// Shared fixtures: a key pair made at test time (no private key is committed), a hand-signed App JWT, a frozen
// clock, a started fake GitHub with one organization installation, and a small HTTP caller.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createFakeGitHub, type FakeGitHub, type FakeGitHubOptions, type WebhookRequest } from '../../../sandbox/fake-github';

export const APP_ID = 424242;
export const INSTALLATION_ID = 42;
export const ORG = 'octo-org';
export const REPO = 'hello-world';
export const START_MS = Date.parse('2026-12-04T10:00:00Z');

// 1024 bits keeps the suite fast; the fake does not look at the key size (GitHub issues 2048-bit App keys).
const keys = generateKeyPairSync('rsa', { modulusLength: 1024 });
export const privateKey: KeyObject = keys.privateKey;
export const publicKey: KeyObject = keys.publicKey;
export const privateKeyPem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

export interface Clock {
  now: () => number;
  advance(ms: number): void;
}

export function frozenClock(startMs = START_MS): Clock {
  let nowMs = startMs;
  return { now: () => nowMs, advance: (ms) => (nowMs += ms) };
}

export function signJwt(
  claims: Record<string, unknown>,
  options: { key?: KeyObject; header?: Record<string, unknown> } = {},
): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode(options.header ?? { alg: 'RS256', typ: 'JWT' })}.${encode(claims)}`;
  const signature = sign('RSA-SHA256', Buffer.from(signingInput), options.key ?? privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

/** A JWT like octokit makes: `iat` backdated 30 s, `exp` 10 minutes after `iat`. */
export function appJwt(nowMs: number, overrides: Record<string, unknown> = {}): string {
  const iat = Math.floor(nowMs / 1000) - 30;
  return signJwt({ iat, exp: iat + 600, iss: APP_ID, ...overrides });
}

export interface Receiver {
  requests: WebhookRequest[];
  /** The status the relay answers with; change it to make deliveries fail. */
  status: number;
  deliver: (request: WebhookRequest) => Promise<{ status: number }>;
}

export function webhookReceiver(): Receiver {
  const receiver: Receiver = {
    requests: [],
    status: 202,
    deliver: (request) => {
      receiver.requests.push(request);
      return Promise.resolve({ status: receiver.status });
    },
  };
  return receiver;
}

export const WEBHOOK_SECRET = 'It’s a Secret to Everybody';

export interface Fixture {
  github: FakeGitHub;
  clock: Clock;
  receiver: Receiver;
  url: string;
  /** A JWT valid on the fixture's clock. */
  jwt(): string;
  /** An installation token for the organization installation. */
  token(): Promise<string>;
  call(method: string, path: string, options?: { auth?: string; body?: unknown }): Promise<ApiResponse>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export async function startFixture(overrides: Partial<FakeGitHubOptions> = {}): Promise<Fixture> {
  const clock = frozenClock();
  const receiver = webhookReceiver();
  const github = createFakeGitHub({
    appId: APP_ID,
    appPublicKey: publicKey,
    installations: [{ id: INSTALLATION_ID, account: ORG, repositories: [`${ORG}/${REPO}`, `${ORG}/other-repo`] }],
    webhook: { secret: WEBHOOK_SECRET, deliver: receiver.deliver },
    now: clock.now,
    ...overrides,
  });
  const { url } = await github.start();
  const call = (method: string, path: string, options: { auth?: string; body?: unknown } = {}): Promise<ApiResponse> =>
    request(url, method, path, options);
  const fixture: Fixture = {
    github,
    clock,
    receiver,
    url,
    jwt: () => appJwt(clock.now()),
    token: async () => {
      const response = await call('POST', `/app/installations/${INSTALLATION_ID}/access_tokens`, { auth: `Bearer ${fixture.jwt()}` });
      return field(response.body, 'token');
    },
    call,
  };
  return fixture;
}

export async function request(
  baseUrl: string,
  method: string,
  path: string,
  options: { auth?: string; body?: unknown } = {},
): Promise<ApiResponse> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      accept: 'application/vnd.github+json',
      ...(options.auth ? { authorization: options.auth } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Reads a string field of a JSON object, failing the test when it is not there. */
export function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'string') throw new Error(`Expected a string '${name}' in ${JSON.stringify(body)}`);
  return value;
}

/** Registers a JIT runner in the repository and returns its id and encoded config. */
export async function registerRunner(
  fixture: Fixture,
  name: string,
  labels: string[] = ['self-hosted', 'linux', 'fargate'],
  token?: string,
): Promise<{ id: number; config: string }> {
  const response = await fixture.call('POST', `/repos/${ORG}/${REPO}/actions/runners/generate-jitconfig`, {
    auth: `token ${token ?? (await fixture.token())}`,
    body: { name, runner_group_id: 1, labels },
  });
  if (response.status !== 201) throw new Error(`generate-jitconfig answered ${response.status}: ${JSON.stringify(response.body)}`);
  const body = response.body as { runner: { id: number }; encoded_jit_config: string };
  return { id: body.runner.id, config: body.encoded_jit_config };
}
