import { createRandom } from '../../../sandbox/fake-github';
import { ORG, REPO, startFixture, type Fixture } from './helpers';

const RUNNERS = `/repos/${ORG}/${REPO}/actions/runners`;
const GENERATE = 'POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig';

describe('fake GitHub: seeded fault injection', () => {
  let fixtures: Fixture[] = [];
  afterEach(async () => {
    await Promise.all(fixtures.map((fixture) => fixture.github.stop()));
    fixtures = [];
  });

  const start = async (...args: Parameters<typeof startFixture>) => {
    const fixture = await startFixture(...args);
    fixtures.push(fixture);
    return fixture;
  };

  const statusesOf = async (seed: number): Promise<number[]> => {
    const fixture = await start({ seed, faults: { serverErrorRate: 0.4 } });
    const auth = `token ${await fixture.token().catch(() => fixture.token())}`;
    const statuses: number[] = [];
    for (let n = 0; n < 20; n += 1) statuses.push((await fixture.call('GET', RUNNERS, { auth })).status);
    return statuses;
  };

  it('gives the same 5xx on the same requests for the same seed', async () => {
    const first = await statusesOf(7);
    const second = await statusesOf(7);
    const otherSeed = await statusesOf(8);

    expect(second).toEqual(first);
    expect(otherSeed).not.toEqual(first);
    expect(first.filter((status) => status >= 500).length).toBeGreaterThan(0);
    expect(first.filter((status) => status === 200).length).toBeGreaterThan(0);
    expect(new Set(first.filter((status) => status >= 500)).size).toBeGreaterThan(1);
  });

  it('injects faults only on the routes given a rate', async () => {
    const fixture = await start({ faults: { serverErrorRateByRoute: { [GENERATE]: 1 } } });
    const auth = `token ${await fixture.token()}`;

    const write = await fixture.call('POST', `${RUNNERS}/generate-jitconfig`, { auth, body: { name: 'r', runner_group_id: 1, labels: ['x'] } });
    const read = await fixture.call('GET', RUNNERS, { auth });

    expect(write.status).toBeGreaterThanOrEqual(500);
    expect(read.body).toMatchObject({ total_count: 0 });
    expect(fixture.github.stats()).toMatchObject({ faultsInjected: 1, serverErrors: 1 });
  });

  it('can lose the response of a write that took effect, as GitHub sometimes does', async () => {
    const fixture = await start({ faults: { serverErrorRateByRoute: { [GENERATE]: 1 }, lostResponseShare: 1 } });
    const auth = `token ${await fixture.token()}`;

    const lost = await fixture.call('POST', `${RUNNERS}/generate-jitconfig`, { auth, body: { name: 'fleet-1-1', runner_group_id: 1, labels: ['x'] } });
    const listed = await fixture.call('GET', `${RUNNERS}?name=fleet-1-1`, { auth });

    expect(lost.status).toBeGreaterThanOrEqual(500);
    expect(listed.body).toMatchObject({ total_count: 1, runners: [{ name: 'fleet-1-1', status: 'offline' }] });
    expect(fixture.github.events().map((event) => event.detail)).toContain(`${lost.status} on ${GENERATE} (after it took effect)`);
  });

  it('can refuse requests with the secondary rate limit at random', async () => {
    const fixture = await start({ faults: { secondaryRateLimitRate: 1 } });

    const response = await fixture.call('GET', '/app', { auth: `Bearer ${fixture.jwt()}` });

    expect(response.status).toBe(403);
    expect(response.headers.get('retry-after')).toBe('60');
  });

  it('exports a seeded generator that replays its sequence', () => {
    const a = createRandom(123);
    const b = createRandom(123);

    const sequence = Array.from({ length: 5 }, () => a.next());

    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sequence);
    expect(sequence.every((n) => n >= 0 && n < 1)).toBe(true);
    expect(createRandom(124).next()).not.toBe(sequence[0]);
  });
});
