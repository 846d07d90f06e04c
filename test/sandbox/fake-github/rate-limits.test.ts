import { INSTALLATION_ID, ORG, REPO, START_MS, field, startFixture, type ApiResponse, type Fixture } from './helpers';

const RUNNERS = `/repos/${ORG}/${REPO}/actions/runners`;

describe('fake GitHub: rate limits', () => {
  let fixture: Fixture | undefined;
  afterEach(() => fixture?.github.stop());

  const limitHeaders = (response: ApiResponse) => ({
    limit: response.headers.get('x-ratelimit-limit'),
    remaining: response.headers.get('x-ratelimit-remaining'),
    used: response.headers.get('x-ratelimit-used'),
    reset: response.headers.get('x-ratelimit-reset'),
    resource: response.headers.get('x-ratelimit-resource'),
  });

  it('sends the primary rate-limit headers on every response', async () => {
    fixture = await startFixture();
    const auth = `token ${await fixture.token()}`;

    const first = await fixture.call('GET', RUNNERS, { auth });
    const second = await fixture.call('GET', `${RUNNERS}/1`, { auth });
    const unauthenticated = await fixture.call('GET', RUNNERS);

    const reset = String(START_MS / 1000 + 3600);
    expect(limitHeaders(first)).toEqual({ limit: '5000', remaining: '4999', used: '1', reset, resource: 'core' });
    expect(limitHeaders(second)).toMatchObject({ remaining: '4998', used: '2' });
    expect(second.status).toBe(404);
    expect(limitHeaders(unauthenticated)).toMatchObject({ limit: '60', resource: 'core' });
    expect(new Date(first.headers.get('date') ?? '').getTime()).toBe(START_MS);
  });

  it('rejects requests over the primary limit with 403 and remaining 0 until the hour resets', async () => {
    fixture = await startFixture({ rateLimits: { primaryPerHour: 3 } });
    const auth = `token ${await fixture.token()}`;
    for (let n = 0; n < 3; n += 1) expect((await fixture.call('GET', RUNNERS, { auth })).status).toBe(200);

    const limited = await fixture.call('GET', RUNNERS, { auth });
    fixture.clock.advance(60 * 60 * 1000);
    const afterReset = await fixture.call('GET', RUNNERS, { auth: `token ${await fixture.token()}` });

    expect(limited.status).toBe(403);
    expect(field(limited.body, 'message')).toBe(`API rate limit exceeded for installation ID ${INSTALLATION_ID}.`);
    expect(limitHeaders(limited)).toMatchObject({ limit: '3', remaining: '0', used: '3', reset: String(START_MS / 1000 + 3600) });
    expect(afterReset.status).toBe(200);
    expect(limitHeaders(afterReset)).toMatchObject({ remaining: '2', used: '1' });
    expect(fixture.github.stats().rateLimited).toEqual({ primary: 1, secondary: 0 });
  });

  it('answers 429 for the primary limit when configured to', async () => {
    fixture = await startFixture({ rateLimits: { primaryPerHour: 1, primaryStatus: 429 } });
    const auth = `token ${await fixture.token()}`;
    await fixture.call('GET', RUNNERS, { auth });

    expect((await fixture.call('GET', RUNNERS, { auth })).status).toBe(429);
  });

  it('rejects writes over the secondary points budget with retry-after, while cheaper reads still fit', async () => {
    fixture = await startFixture({ rateLimits: { secondaryPointsPerMinute: 12 } });
    const auth = `token ${await fixture.token()}`;
    const register = (name: string) =>
      fixture!.call('POST', `${RUNNERS}/generate-jitconfig`, { auth, body: { name, runner_group_id: 1, labels: ['fargate'] } });
    expect((await register('a')).status).toBe(201);
    fixture.clock.advance(10_000);
    expect((await register('b')).status).toBe(201);

    const limited = await register('c');
    const read = await fixture.call('GET', RUNNERS, { auth });
    fixture.clock.advance(50_000);
    const afterWindow = await register('c');

    expect(limited.status).toBe(403);
    expect(field(limited.body, 'message')).toMatch(/^You have exceeded a secondary rate limit/);
    expect(limited.headers.get('retry-after')).toBe('50');
    expect(Number(limited.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
    expect(read.status).toBe(200);
    expect(afterWindow.status).toBe(201);
    // The token request (app) and the first write have left the rolling minute.
    expect(fixture.github.stats().secondaryPoints).toEqual({ app: 0, [`installation:${INSTALLATION_ID}`]: 11 });
  });

  it('refuses every request during a forced secondary burst, then recovers', async () => {
    fixture = await startFixture({ rateLimits: { secondaryStatus: 429 } });
    const auth = `token ${await fixture.token()}`;

    fixture.github.forceRateLimit({ kind: 'secondary', durationMs: 30_000, installationId: INSTALLATION_ID });
    const during = await fixture.call('GET', RUNNERS, { auth });
    const app = await fixture.call('GET', '/app', { auth: `Bearer ${fixture.jwt()}` });
    fixture.clock.advance(30_000);
    const after = await fixture.call('GET', RUNNERS, { auth });

    expect(during.status).toBe(429);
    expect(during.headers.get('retry-after')).toBe('30');
    expect(app.status).toBe(200);
    expect(after.status).toBe(200);
    expect(fixture.github.events().filter((event) => event.type === 'rate-limited')).toHaveLength(1);
  });

  it('refuses every request during a forced primary burst with remaining 0', async () => {
    fixture = await startFixture();
    const auth = `token ${await fixture.token()}`;

    fixture.github.forceRateLimit({ kind: 'primary', durationMs: 5 * 60_000 });
    const during = await fixture.call('GET', RUNNERS, { auth });

    expect(during.status).toBe(403);
    expect(limitHeaders(during)).toMatchObject({ remaining: '0' });
  });
});
