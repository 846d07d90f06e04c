import type { GitHubJob, HookDelivery } from '../../../lambdas/github/client';
import type { RedeliveryConfig } from '../../../lambdas/redelivery/config';
import { redeliverFailedDeliveries, type RedeliveryDeps, type RedeliveryGitHub } from '../../../lambdas/redelivery/redeliver';
import { GitHubRateLimitedError, GitHubUnavailableError } from '../../../lambdas/shared/errors';
import { createMetrics } from '../../../lambdas/shared/metrics';
import { captureLogs, type LogCapture } from '../support/github-app';
import { INSTALLATION_ID, jobResponse } from '../support/github-fixtures';

const NOW_MS = Date.parse('2026-12-04T16:00:00Z');
const MINUTE_MS = 60_000;

/** GitHub's App webhook deliveries, its payloads and its jobs, in memory; every call is recorded. */
class FakeDeliveriesApi implements RedeliveryGitHub {
  readonly deliveries: HookDelivery[] = [];
  readonly jobOfGuid = new Map<string, number>();
  /** A job's status on GitHub; 'gone' answers 404. */
  readonly jobStatus = new Map<number, string>();
  readonly calls: string[] = [];
  readonly redelivered: number[] = [];
  /** The outcome of the next calls of a method, one per call: an error to throw, or null to answer. */
  readonly failures: Partial<Record<'list' | 'payload' | 'job' | 'redeliver', (Error | null)[]>> = {};
  pageSize = 100;
  /** The clock of the run in progress: a redelivery is a new attempt at this time. */
  nowMs = NOW_MS;
  /** What the webhook endpoint answers to redeliveries. */
  redeliveryCode = 202;
  private nextId = 100_000_001;

  /** A delivery that just went through: the endpoint answers again. */
  addRecentSuccess(): void {
    this.addGuid(`guid-ok-${this.nextId}`, { minutesAgo: 1, action: 'completed', codes: [202] });
  }

  /** One GUID: its first attempt `minutesAgo` (on the current clock), then one redelivery a minute later each, newest last. */
  addGuid(guid: string, options: { minutesAgo: number; jobId?: number; action?: string | null; event?: string; codes?: number[] }): HookDelivery[] {
    const codes = options.codes ?? [502];
    const added = codes.map((code, index) =>
      this.attempt({ guid, atMs: this.nowMs - (options.minutesAgo - index) * MINUTE_MS, redelivery: index > 0, code, event: options.event ?? 'workflow_job', action: options.action === undefined ? 'queued' : options.action }),
    );
    const jobId = options.jobId ?? 1_000_000 + this.jobOfGuid.size;
    this.jobOfGuid.set(guid, jobId);
    if (!this.jobStatus.has(jobId)) this.jobStatus.set(jobId, 'queued');
    return added;
  }

  private attempt(input: { guid: string; atMs: number; redelivery: boolean; code: number; event: string; action: string | null }): HookDelivery {
    const delivery: HookDelivery = {
      id: this.nextId++,
      guid: input.guid,
      delivered_at: new Date(input.atMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      redelivery: input.redelivery,
      status: input.code >= 200 && input.code < 300 ? 'OK' : `Invalid HTTP Response: ${input.code}`,
      status_code: input.code,
      event: input.event,
      action: input.action,
      installation_id: INSTALLATION_ID,
      repository_id: 1296269,
    };
    this.deliveries.push(delivery);
    return delivery;
  }

  listHookDeliveries(cursor: string | undefined) {
    this.calls.push(`list ${cursor ?? 'first'}`);
    return this.answer('list', () => {
      const newestFirst = [...this.deliveries].sort((a, b) => Date.parse(b.delivered_at) - Date.parse(a.delivered_at) || b.id - a.id);
      const start = cursor === undefined ? 0 : Number(cursor);
      const end = start + this.pageSize;
      return { deliveries: newestFirst.slice(start, end), nextCursor: end < newestFirst.length ? String(end) : undefined };
    });
  }

  getHookDeliveryPayload(deliveryId: number) {
    this.calls.push(`payload ${deliveryId}`);
    return this.answer('payload', (): unknown => {
      const delivery = this.deliveries.find((candidate) => candidate.id === deliveryId);
      const jobId = delivery && this.jobOfGuid.get(delivery.guid);
      if (jobId === undefined) return undefined;
      return {
        action: delivery?.action,
        workflow_job: { id: jobId, status: 'queued', labels: ['self-hosted', 'fargate'], steps: [], name: 'build with a large payload' },
        repository: { id: 1296269, name: 'hello-world', full_name: 'octo-org/hello-world', owner: { login: 'octo-org' } },
        installation: { id: INSTALLATION_ID },
      };
    });
  }

  getJob(repository: { owner: string; repo: string; installationId: number }, jobId: number) {
    this.calls.push(`job ${repository.owner}/${repository.repo}@${repository.installationId} ${jobId}`);
    return this.answer('job', () => {
      const status = this.jobStatus.get(jobId);
      if (status === undefined || status === 'gone') throw Object.assign(new Error('Not Found'), { status: 404 });
      return { ...jobResponse({ id: jobId }), status } satisfies GitHubJob;
    });
  }

  redeliverHookDelivery(deliveryId: number) {
    this.calls.push(`redeliver ${deliveryId}`);
    return this.answer('redeliver', () => {
      const original = this.deliveries.find((delivery) => delivery.id === deliveryId);
      if (!original) throw Object.assign(new Error('Not Found'), { status: 404 });
      this.redelivered.push(deliveryId);
      this.attempt({ guid: original.guid, atMs: this.nowMs, redelivery: true, code: this.redeliveryCode, event: original.event, action: original.action ?? null });
    });
  }

  private answer<T>(method: 'list' | 'payload' | 'job' | 'redeliver', result: () => T): Promise<T> {
    const error = this.failures[method]?.shift();
    if (error) return Promise.reject(error);
    try {
      return Promise.resolve(result());
    } catch (thrown) {
      return Promise.reject(thrown instanceof Error ? thrown : new Error(String(thrown)));
    }
  }
}

type CoreConfig = RedeliveryDeps['config'];

function aConfig(overrides: Partial<CoreConfig> = {}): CoreConfig {
  const defaults: Omit<RedeliveryConfig, 'gitHubAppId' | 'gitHubApiUrl' | 'privateKeySecretArn'> = {
    redeliveryWindowMinutes: 180,
    maxRedeliveries: 5,
    maxRedeliveriesPerRun: 50,
    maxJobChecksPerRun: 100,
    maxDeliveryPages: 20,
    minAttemptAgeSeconds: 60,
  };
  return { ...defaults, ...overrides };
}

interface Run {
  api: FakeDeliveriesApi;
  logs: LogCapture;
  metricLines: string[];
  settledGuids: Set<string>;
  run(options?: { config?: Partial<CoreConfig>; nowMs?: number }): ReturnType<typeof redeliverFailedDeliveries>;
}

function aRun(): Run {
  const api = new FakeDeliveriesApi();
  const logs = captureLogs();
  const metricLines: string[] = [];
  const settledGuids = new Set<string>();
  return {
    api,
    logs,
    metricLines,
    settledGuids,
    run: ({ config = {}, nowMs = NOW_MS } = {}) => {
      api.nowMs = nowMs;
      return redeliverFailedDeliveries({
        github: api,
        config: aConfig(config),
        logger: logs.logger,
        metrics: createMetrics((line) => metricLines.push(line)),
        now: () => nowMs,
        settledGuids,
      });
    },
  };
}

const idsOf = (deliveries: HookDelivery[]) => deliveries.map((delivery) => delivery.id);
const lastId = (deliveries: HookDelivery[]) => idsOf(deliveries).at(-1);
const parsed = (lines: string[]) => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('redeliverFailedDeliveries', () => {
  it('redelivers the newest attempt of a failed queued delivery whose job still waits, after checking the job', async () => {
    // GIVEN a queued delivery that failed, and whose one redelivery failed too; the job still waits
    const { api, run } = aRun();
    const attempts = api.addGuid('guid-a', { minutesAgo: 10, jobId: 1234567, codes: [502, 502] });

    // WHEN the redelivery runs
    const summary = await run();

    // THEN the job was read where the payload says, and the newest attempt was redelivered
    expect(api.calls).toEqual(['list first', `payload ${lastId(attempts)}`, `job octo-org/hello-world@${INSTALLATION_ID} 1234567`, `redeliver ${lastId(attempts)}`]);
    expect(summary).toEqual({ scanned: 2, failedGuids: 1, redelivered: 1, skippedNotQueued: 0, abandoned: 0, errors: 0, truncated: false });
  });

  it('leaves a GUID alone once any attempt succeeded', async () => {
    const { api, run } = aRun();
    api.addGuid('guid-ok', { minutesAgo: 20, codes: [502, 202, 502] });
    api.addGuid('guid-first-time', { minutesAgo: 15, codes: [200] });

    const summary = await run();

    expect(api.calls).toEqual(['list first']);
    expect(summary).toMatchObject({ scanned: 4, failedGuids: 0, redelivered: 0 });
  });

  it('redelivers only workflow_job queued and in_progress deliveries, in_progress ones without a job check', async () => {
    // GIVEN failed deliveries of several kinds
    const { api, run } = aRun();
    const inProgress = api.addGuid('guid-in-progress', { minutesAgo: 10, action: 'in_progress' });
    api.addGuid('guid-completed', { minutesAgo: 10, action: 'completed' });
    api.addGuid('guid-ping', { minutesAgo: 10, event: 'ping', action: null });
    api.addGuid('guid-waiting', { minutesAgo: 10, action: 'waiting' });

    // WHEN the redelivery runs
    const summary = await run();

    // THEN only the in_progress one was redelivered, without reading its payload or job
    expect(api.calls).toEqual(['list first', `redeliver ${lastId(inProgress)}`]);
    expect(summary).toMatchObject({ scanned: 4, failedGuids: 1, redelivered: 1 });
  });

  it('skips a queued delivery whose job left the queue or is gone, and remembers it for the next runs', async () => {
    // GIVEN two failed queued deliveries: one job was picked up since, the other's repository was deleted
    const { api, run, settledGuids } = aRun();
    api.addGuid('guid-running', { minutesAgo: 12, jobId: 11 });
    api.addGuid('guid-gone', { minutesAgo: 11, jobId: 12 });
    api.jobStatus.set(11, 'in_progress');
    api.jobStatus.set(12, 'gone');

    // WHEN the redelivery runs twice in the same container
    const first = await run();
    const callsOfFirstRun = api.calls.length;
    const second = await run({ nowMs: NOW_MS + 5 * MINUTE_MS });

    // THEN nothing was redelivered, and the second run did not check the jobs again
    expect(first).toMatchObject({ failedGuids: 2, skippedNotQueued: 2, redelivered: 0, errors: 0 });
    expect(api.redelivered).toEqual([]);
    expect(second).toMatchObject({ failedGuids: 2, skippedNotQueued: 0, redelivered: 0 });
    expect(api.calls.slice(callsOfFirstRun)).toEqual(['list first']);
    expect([...settledGuids].sort()).toEqual(['guid-gone', 'guid-running']);
  });

  it('forgets what it remembered once a GUID left the window, after a complete scan', async () => {
    const { api, run, settledGuids } = aRun();
    settledGuids.add('guid-long-gone');
    api.addGuid('guid-running', { minutesAgo: 12, jobId: 11 });
    api.jobStatus.set(11, 'completed');

    await run();

    expect([...settledGuids]).toEqual(['guid-running']);
  });

  it('waits a minute after the newest attempt before redelivering', async () => {
    // GIVEN a delivery that failed 30 s ago
    const { api, run } = aRun();
    const attempts = api.addGuid('guid-fresh', { minutesAgo: 0.5 });

    // WHEN the redelivery runs now, and again a minute later
    const early = await run();
    const later = await run({ nowMs: NOW_MS + MINUTE_MS });

    // THEN only the later run redelivered it
    expect(early).toMatchObject({ failedGuids: 1, redelivered: 0 });
    expect(later).toMatchObject({ failedGuids: 1, redelivered: 1 });
    expect(api.redelivered).toEqual(idsOf(attempts));
  });

  it('abandons a GUID after maxRedeliveries failed redeliveries, and says so once per container', async () => {
    // GIVEN a delivery redelivered 3 times, all failed, and a limit of 3
    const { api, run, logs } = aRun();
    const attempts = api.addGuid('guid-hopeless', { minutesAgo: 30, codes: [502, 502, 502, 500] });

    // WHEN the redelivery runs twice
    const first = await run({ config: { maxRedeliveries: 3 } });
    const second = await run({ config: { maxRedeliveries: 3 }, nowMs: NOW_MS + 5 * MINUTE_MS });

    // THEN it was not redelivered; the first run counted and logged the abandonment, the second stayed quiet
    expect(api.calls).toEqual(['list first', 'list first']);
    expect(first).toMatchObject({ failedGuids: 1, abandoned: 1, redelivered: 0 });
    expect(second).toMatchObject({ failedGuids: 1, abandoned: 0, redelivered: 0 });
    const warnings = parsed(logs.lines).filter((line) => line['level'] === 'warn');
    expect(warnings).toEqual([expect.objectContaining({ guid: 'guid-hopeless', action: 'queued', deliveryId: lastId(attempts), redeliveries: 3 })]);
  });

  it('reads back no further than the window, and leaves a GUID first sent before it', async () => {
    // GIVEN one page per delivery: a success, a recent failure, a redelivery inside the window of a GUID first sent
    // before it, and older deliveries still
    const { api, run } = aRun();
    api.addRecentSuccess();
    const recent = api.addGuid('guid-recent', { minutesAgo: 30 });
    const old = api.addGuid('guid-old', { minutesAgo: 170 });
    api.deliveries.push({ ...recent[0]!, id: 1, guid: 'guid-started-before', redelivery: true, delivered_at: new Date(NOW_MS - 100 * MINUTE_MS).toISOString() });
    api.addGuid('guid-older', { minutesAgo: 200 });
    api.addGuid('guid-oldest', { minutesAgo: 400 });
    api.pageSize = 1;

    // WHEN the redelivery runs with a window of 3 hours
    const summary = await run();

    // THEN it stopped at the first page that crossed the window start, and redelivered the two GUIDs first sent in it
    expect(api.calls.filter((call) => call.startsWith('list'))).toEqual(['list first', 'list 1', 'list 2', 'list 3', 'list 4']);
    expect(summary).toMatchObject({ scanned: 4, failedGuids: 2, redelivered: 2, truncated: false });
    expect(api.redelivered).toEqual([lastId(old), lastId(recent)]);
  });

  it('reads at most maxDeliveryPages pages and says the run was truncated', async () => {
    const { api, run } = aRun();
    api.addRecentSuccess();
    for (let n = 0; n < 5; n += 1) api.addGuid(`guid-${n}`, { minutesAgo: 10 + n });
    api.pageSize = 2;

    const summary = await run({ config: { maxDeliveryPages: 2 } });

    expect(api.calls.filter((call) => call.startsWith('list'))).toEqual(['list first', 'list 2']);
    expect(summary).toMatchObject({ scanned: 4, failedGuids: 3, redelivered: 3, truncated: true });
  });

  it('redelivers at most maxRedeliveriesPerRun: queued jobs first, then fewest redeliveries, then oldest', async () => {
    // GIVEN four failed GUIDs, and an endpoint that answers again
    const { api, run } = aRun();
    api.addRecentSuccess();
    const inProgress = api.addGuid('guid-in-progress', { minutesAgo: 60, action: 'in_progress' });
    const retried = api.addGuid('guid-retried', { minutesAgo: 50, codes: [502, 502] });
    const oldest = api.addGuid('guid-oldest', { minutesAgo: 40 });
    const newest = api.addGuid('guid-newest', { minutesAgo: 20 });

    // WHEN a run may redeliver two, then a later run the rest
    const first = await run({ config: { maxRedeliveriesPerRun: 2 } });
    const firstRedelivered = [...api.redelivered];
    await run({ config: { maxRedeliveriesPerRun: 2 } });

    // THEN the fresh queued failures went first, oldest first; the rest waited for the next run
    expect(first).toMatchObject({ failedGuids: 4, redelivered: 2, truncated: true });
    expect(firstRedelivered).toEqual([lastId(oldest), lastId(newest)]);
    expect(api.redelivered.slice(2)).toEqual([lastId(retried), lastId(inProgress)]);
  });

  it('checks at most maxJobChecksPerRun queued jobs, and still redelivers in_progress deliveries', async () => {
    const { api, run } = aRun();
    api.addRecentSuccess();
    const first = api.addGuid('guid-1', { minutesAgo: 30 });
    api.addGuid('guid-2', { minutesAgo: 20 });
    const inProgress = api.addGuid('guid-in-progress', { minutesAgo: 10, action: 'in_progress' });

    const summary = await run({ config: { maxJobChecksPerRun: 1 } });

    expect(api.calls.filter((call) => call.startsWith('job'))).toHaveLength(1);
    expect(api.redelivered).toEqual([lastId(first), lastId(inProgress)]);
    expect(summary).toMatchObject({ redelivered: 2, truncated: true });
  });

  it('sends a single probe redelivery while the newest delivery of all still fails, and all of them once one succeeds', async () => {
    // GIVEN three failed GUIDs, the newest delivery of all among the failures: the outage may not be over
    const { api, run, logs } = aRun();
    api.addGuid('guid-1', { minutesAgo: 30 });
    const second = api.addGuid('guid-2', { minutesAgo: 20 });
    const third = api.addGuid('guid-3', { minutesAgo: 10 });

    // WHEN a run happens during the outage (its probe fails too), and another after a delivery went through
    api.redeliveryCode = 502;
    const during = await run();
    const probe = [...api.redelivered];
    api.redeliveryCode = 202;
    api.nowMs = NOW_MS + 5 * MINUTE_MS;
    api.addRecentSuccess();
    const after = await run({ nowMs: NOW_MS + 5 * MINUTE_MS });

    // THEN the first run sent one probe, the oldest, without calling the run truncated; the second sent all three,
    // the probed GUID last (it had one redelivery already)
    expect(during).toMatchObject({ failedGuids: 3, redelivered: 1, truncated: false });
    expect(parsed(logs.lines).find((line) => line['message'] === 'Redelivery run finished')).toMatchObject({ endpointFailing: true });
    expect(after).toMatchObject({ failedGuids: 3, redelivered: 3, truncated: false });
    const probedRetry = api.deliveries.filter((delivery) => delivery.guid === 'guid-1').at(1)?.id;
    expect(api.redelivered).toEqual([...probe, lastId(second), lastId(third), probedRetry]);
  });

  it('ends the run cleanly on a rate limit, keeping what was done, with a warning and the metrics', async () => {
    // GIVEN three failed GUIDs, and GitHub rate limiting the second redelivery
    const { api, run, logs, metricLines } = aRun();
    api.addGuid('guid-1', { minutesAgo: 30, action: 'in_progress' });
    api.addGuid('guid-2', { minutesAgo: 20, action: 'in_progress' });
    api.addGuid('guid-3', { minutesAgo: 10, action: 'in_progress' });
    api.addGuid('guid-ok', { minutesAgo: 1, codes: [202] });
    api.failures.redeliver = [null, new GitHubRateLimitedError('POST /app/hook/deliveries/{delivery_id}/attempts', 60)];

    // WHEN the redelivery runs
    const summary = await run();

    // THEN it resolved with the one redelivery done, an error, and the run marked truncated
    expect(summary).toEqual({ scanned: 4, failedGuids: 3, redelivered: 1, skippedNotQueued: 0, abandoned: 0, errors: 1, truncated: true });
    expect(api.calls.filter((call) => call.startsWith('redeliver'))).toHaveLength(2);
    expect(parsed(logs.lines)).toContainEqual(expect.objectContaining({ level: 'warn', error: expect.objectContaining({ name: 'GitHubRateLimited' }) as unknown }));
    expect(parsed(metricLines)).toEqual([expect.objectContaining({ WebhookRedeliveries: 1, WebhookRedeliveryErrors: 1 })]);
  });

  it('goes on past a lone GitHub 5xx on one delivery, and ends the run after three in a row', async () => {
    // GIVEN five failed GUIDs; GitHub fails the first redelivery once, then (later) three in a row
    const { api, run } = aRun();
    api.addRecentSuccess();
    for (let i = 1; i <= 5; i += 1) api.addGuid(`guid-${i}`, { minutesAgo: 60 - i, action: 'in_progress' });
    const unavailable = () => new GitHubUnavailableError('POST /app/hook/deliveries/{delivery_id}/attempts', 'HTTP 502 Bad Gateway');
    api.failures.redeliver = [unavailable(), null, unavailable(), unavailable(), unavailable()];

    // WHEN the redelivery runs
    const summary = await run();

    // THEN the lone 5xx cost one delivery only; the three in a row ended the run
    expect(summary).toMatchObject({ failedGuids: 5, redelivered: 1, errors: 4, truncated: true });
    expect(api.calls.filter((call) => call.startsWith('redeliver'))).toHaveLength(5);
  });

  it('ends the run cleanly when GitHub is unavailable for the list', async () => {
    const { api, run } = aRun();
    api.failures.list = [new GitHubUnavailableError('GET /app/hook/deliveries', 'HTTP 502 Bad Gateway')];

    await expect(run()).resolves.toEqual({ scanned: 0, failedGuids: 0, redelivered: 0, skippedNotQueued: 0, abandoned: 0, errors: 1, truncated: true });
  });

  it('fails the run on an error that is not a rate limit or an outage, such as an unreadable private key', async () => {
    const { api, run, metricLines } = aRun();
    api.failures.list = [new Error('Secret arn:aws:secretsmanager:eu-west-1:111122223333:secret:key has no string value yet.')];

    await expect(run()).rejects.toThrow('has no string value yet');
    expect(metricLines).toEqual([]);
  });

  it('counts a delivery GitHub refuses to redeliver as an error and goes on with the next', async () => {
    const { api, run, logs } = aRun();
    api.addRecentSuccess();
    const refused = api.addGuid('guid-refused', { minutesAgo: 30 });
    const next = api.addGuid('guid-next', { minutesAgo: 20 });
    api.failures.redeliver = [Object.assign(new Error('Validation Failed'), { status: 422 })];

    const summary = await run();

    expect(summary).toMatchObject({ failedGuids: 2, redelivered: 1, errors: 1, truncated: false });
    expect(api.redelivered).toEqual([lastId(next)]);
    expect(parsed(logs.lines)).toContainEqual(expect.objectContaining({ level: 'warn', guid: 'guid-refused', deliveryId: lastId(refused) }));
  });

  it('does not redeliver a queued delivery whose payload names no job, counting an error once', async () => {
    const { api, run } = aRun();
    api.addGuid('guid-unreadable', { minutesAgo: 30 });
    api.jobOfGuid.delete('guid-unreadable');

    const first = await run();
    const second = await run();

    expect(first).toMatchObject({ failedGuids: 1, redelivered: 0, errors: 1 });
    expect(second).toMatchObject({ failedGuids: 1, redelivered: 0, errors: 0 });
    expect(api.calls.filter((call) => call.startsWith('job'))).toEqual([]);
  });

  it('calls GitHub not at all when the window is 0 minutes (redelivery off)', async () => {
    const { api, run, metricLines } = aRun();
    api.addGuid('guid-a', { minutesAgo: 10 });

    const summary = await run({ config: { redeliveryWindowMinutes: 0 } });

    expect(summary).toEqual({ scanned: 0, failedGuids: 0, redelivered: 0, skippedNotQueued: 0, abandoned: 0, errors: 0, truncated: false });
    expect(api.calls).toEqual([]);
    expect(metricLines).toEqual([]);
  });

  it('emits the two metrics fleet-wide and one summary line, and never logs a payload', async () => {
    // GIVEN two failed deliveries, one whose job still waits, one whose job is over
    const { api, run, logs, metricLines } = aRun();
    api.addRecentSuccess();
    api.addGuid('guid-a', { minutesAgo: 10 });
    api.addGuid('guid-b', { minutesAgo: 9 });
    api.jobStatus.set(api.jobOfGuid.get('guid-b') ?? 0, 'completed');

    // WHEN the redelivery runs
    await run();

    // THEN one EMF line carries the figures without dimensions, and one info line the summary
    const [emf] = parsed(metricLines);
    expect(emf).toMatchObject({
      WebhookDeliveriesFailed: 2,
      WebhookRedeliveries: 1,
      _aws: { CloudWatchMetrics: [{ Namespace: 'GitHubRunners', Dimensions: [[]], Metrics: expect.arrayContaining([{ Name: 'WebhookDeliveriesFailed', Unit: 'Count' }, { Name: 'WebhookRedeliveries', Unit: 'Count' }]) as unknown }] },
    });
    const infos = parsed(logs.lines).filter((line) => line['level'] === 'info');
    expect(infos).toEqual([expect.objectContaining({ message: 'Redelivery run finished', scanned: 3, failedGuids: 2, redelivered: 1, skippedNotQueued: 1, truncated: false })]);
    expect(logs.text()).not.toContain('large payload');
  });
});
