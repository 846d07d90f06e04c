// The redelivery end to end: the real GitHub client (App JWT from the system clock) against the sandbox's fake
// GitHub, whose webhook target fails during an "outage". The fake's clock only moves to date old deliveries; the
// redelivery's clock runs ahead so that fresh attempts are past their minute.
import { createGitHubClient } from '../../../lambdas/github/client';
import type { RedeliveryConfig } from '../../../lambdas/redelivery/config';
import { redeliverFailedDeliveries, type RedeliveryDeps } from '../../../lambdas/redelivery/redeliver';
import { silentLogger } from '../../../lambdas/shared/logger';
import { silentMetrics } from '../../../lambdas/shared/metrics';
import { createFakeGitHub, type FakeGitHub, type WebhookDeliveryView } from '../../../sandbox/fake-github';
import { APP_ID, INSTALLATION_ID, ORG, privateKeyPem, publicKey, REPO, webhookReceiver, WEBHOOK_SECRET, type Receiver } from '../../sandbox/fake-github/helpers';

const MINUTE_MS = 60_000;
const LABELS = ['self-hosted', 'linux', 'fargate'];

interface World {
  github: FakeGitHub;
  receiver: Receiver;
  /** Moves the fake's clock (and so the dates of the deliveries it records) by this much. */
  setFakeClockOffset(ms: number): void;
  /** One scheduled run, `minutesLater` after the real time. */
  redeliver(minutesLater: number, config?: Partial<RedeliveryDeps['config']>): ReturnType<typeof redeliverFailedDeliveries>;
  queue(labels?: string[]): number;
  /** The fake's deliveries of one job and action, oldest first. */
  deliveriesOf(jobId: number, action: string): WebhookDeliveryView[];
}

async function startWorld(): Promise<World> {
  let fakeOffsetMs = 0;
  const receiver = webhookReceiver();
  const github = createFakeGitHub({
    appId: APP_ID,
    appPublicKey: publicKey,
    installations: [{ id: INSTALLATION_ID, account: ORG, repositories: [`${ORG}/${REPO}`] }],
    webhook: { secret: WEBHOOK_SECRET, deliver: receiver.deliver },
    now: () => Date.now() + fakeOffsetMs,
  });
  const { url } = await github.start();
  const client = createGitHubClient({ appId: APP_ID, privateKey: () => Promise.resolve(privateKeyPem), baseUrl: url, logger: silentLogger, rateLimitWaitBudgetMs: 0 });
  const settledGuids = new Set<string>();
  const config: Omit<RedeliveryConfig, 'gitHubAppId' | 'gitHubApiUrl' | 'privateKeySecretArn'> = {
    redeliveryWindowMinutes: 180,
    maxRedeliveries: 5,
    maxRedeliveriesPerRun: 50,
    maxJobChecksPerRun: 100,
    maxDeliveryPages: 20,
    minAttemptAgeSeconds: 60,
  };
  return {
    github,
    receiver,
    setFakeClockOffset: (ms) => (fakeOffsetMs = ms),
    redeliver: async (minutesLater, overrides = {}) => {
      const summary = await redeliverFailedDeliveries({
        github: client,
        config: { ...config, ...overrides },
        logger: silentLogger,
        metrics: silentMetrics,
        now: () => Date.now() + minutesLater * MINUTE_MS,
        settledGuids,
      });
      await github.settled();
      return summary;
    },
    queue: (labels = LABELS) => github.queueJob({ owner: ORG, repo: REPO, labels, durationMs: 60_000 }).id,
    deliveriesOf: (jobId, action) => github.deliveries().filter((delivery) => delivery.jobId === jobId && delivery.action === action),
  };
}

describe('redelivery against the fake GitHub', () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(() => world.github.stop());

  it('redelivers what an outage lost, skips jobs that left the queue, and leaves alone what went through or is too old', async () => {
    const { github, receiver } = world;
    // GIVEN a delivery lost in an outage long ago, outside the 3-hour window
    receiver.status = 502;
    world.setFakeClockOffset(-200 * MINUTE_MS);
    const tooOld = world.queue();
    await github.settled();
    world.setFakeClockOffset(0);
    // AND a job delivered fine before today's outage
    receiver.status = 202;
    const deliveredFine = world.queue();
    await github.settled();
    // AND during the outage: a job that still waits, one cancelled since, and one a runner took since
    receiver.status = 502;
    const waiting = world.queue();
    const cancelled = world.queue();
    github.cancelQueuedJob(cancelled);
    const taken = world.queue(['self-hosted', 'gpu']);
    const target = { type: 'repository' as const, owner: ORG, repo: REPO, installationId: INSTALLATION_ID };
    const jit = await createGitHubClient({ appId: APP_ID, privateKey: () => Promise.resolve(privateKeyPem), baseUrl: github.url, logger: silentLogger }).generateJitConfig(target, {
      name: 'fleet-taken-1',
      labels: ['gpu'],
      runnerGroupId: 1,
      workFolder: '_work',
    });
    expect((await github.connectRunner(jit.encodedJitConfig).nextJob()).id).toBe(taken);
    await github.settled();
    // AND the relay is back: a new job goes through
    receiver.status = 202;
    const afterOutage = world.queue();
    await github.settled();
    const callsBefore = github.stats().calls;

    // WHEN the scheduled redelivery runs
    const summary = await world.redeliver(2);

    // THEN the waiting job's queued delivery and the taken job's in_progress delivery were redelivered, and now show OK
    expect(summary).toEqual({ scanned: 7, failedGuids: 4, redelivered: 2, skippedNotQueued: 2, abandoned: 0, errors: 0, truncated: false });
    expect(world.deliveriesOf(waiting, 'queued')).toMatchObject([{ status: 'Invalid HTTP Response: 502', redelivery: false }, { status: 'OK', redelivery: true }]);
    expect(world.deliveriesOf(taken, 'in_progress')).toMatchObject([{ redelivery: false, statusCode: 502 }, { redelivery: true, statusCode: 202 }]);
    const redeliveredGuids = receiver.requests.slice(-2).map((request) => request.headers['X-GitHub-Delivery']);
    expect(redeliveredGuids.sort()).toEqual([world.deliveriesOf(waiting, 'queued')[0]?.guid, world.deliveriesOf(taken, 'in_progress')[0]?.guid].sort());
    // AND nothing else was redelivered: not the cancelled or taken jobs' queued deliveries, not completed events,
    // not what went through, not the delivery older than the window
    for (const [jobId, action] of [[cancelled, 'queued'], [cancelled, 'completed'], [taken, 'queued'], [deliveredFine, 'queued'], [afterOutage, 'queued'], [tooOld, 'queued']] as const) {
      expect(world.deliveriesOf(jobId, action)).toHaveLength(1);
    }
    // AND the GitHub calls were the list, one payload and one job read per queued failure, and two redeliveries
    const calls = github.stats().calls;
    const spent = (route: string) => (calls[route] ?? 0) - (callsBefore[route] ?? 0);
    expect(spent('GET /app/hook/deliveries')).toBe(1);
    expect(spent('GET /app/hook/deliveries/{delivery_id}')).toBe(3);
    expect(spent('GET /repos/{owner}/{repo}/actions/jobs/{job_id}')).toBe(3);
    expect(spent('POST /app/hook/deliveries/{delivery_id}/attempts')).toBe(2);

    // WHEN it runs again 5 minutes later
    const again = await world.redeliver(7);

    // THEN nothing more was redelivered, and the jobs it found not queued were not read again
    expect(again).toMatchObject({ failedGuids: 2, redelivered: 0, skippedNotQueued: 0, errors: 0 });
    expect(github.stats().calls['GET /repos/{owner}/{repo}/actions/jobs/{job_id}']).toBe(calls['GET /repos/{owner}/{repo}/actions/jobs/{job_id}']);
    expect(github.stats().deliveries.redeliveries).toBe(2);
  });

  it('probes a long outage with one redelivery per run, and abandons a delivery after maxRedeliveries', async () => {
    const { github, receiver } = world;
    // GIVEN two queued jobs whose deliveries fail, and a relay that stays down
    receiver.status = 502;
    const first = world.queue();
    const second = world.queue();
    await github.settled();

    // WHEN the redelivery runs every few minutes with at most 2 redeliveries per delivery
    const runs = [];
    for (let run = 1; run <= 5; run += 1) runs.push(await world.redeliver(2 * run, { maxRedeliveries: 2 }));

    // THEN each run sent one probe, taking turns, and abandoned each delivery once its 2 redeliveries had failed
    expect(runs.map((summary) => [summary.redelivered, summary.abandoned])).toEqual([[1, 0], [1, 0], [1, 0], [1, 1], [0, 1]]);
    expect(world.deliveriesOf(first, 'queued').map((delivery) => delivery.redelivery)).toEqual([false, true, true]);
    expect(world.deliveriesOf(second, 'queued').map((delivery) => delivery.redelivery)).toEqual([false, true, true]);
    expect(receiver.requests).toHaveLength(6);

    // WHEN the relay is back and a later run happens
    receiver.status = 202;
    const later = await world.redeliver(12, { maxRedeliveries: 2 });

    // THEN the abandoned deliveries stay abandoned
    expect(later).toMatchObject({ failedGuids: 2, redelivered: 0, abandoned: 0 });
    expect(receiver.requests).toHaveLength(6);
  });
});
