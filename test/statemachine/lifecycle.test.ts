// The runner lifecycle, scenario by scenario: the definition taken from the synthesized template and run with
// aws-local-stepfunctions; Mint token and Clean up are the product's own code, talking HTTP to a fake GitHub;
// Run runner is a simulated ECS whose tasks consume the JIT file and take jobs as the real runner does.
import { CLAIM_OBJECT_PREFIX, ERROR, RERUN_OBJECT_PREFIX, STATE, type LifecycleState } from '../../statemachine/contracts';
import { scriptedPlans } from '../../sandbox/fake-aws/ecs';
import { LocalFleet, SANDBOX_ORGANIZATION, sandboxFleetConfig, type LocalFleetOptions } from '../../sandbox/local-fleet';
import { mostAtOnce } from '../../sandbox/chaos';
import type { ExecutionResult } from '../../sandbox/lifecycle/local-execution';

const HAPPY_PATH = [STATE.mintToken, STATE.runRunner, STATE.cleanUp, STATE.checkJob, STATE.done];
const JITCONFIG = 'POST /orgs/{org}/actions/runners/generate-jitconfig';
const GET_JOB = 'GET /repos/{owner}/{repo}/actions/jobs/{job_id}';

let fleet: LocalFleet;

async function startFleet(options: LocalFleetOptions = {}): Promise<LocalFleet> {
  // Executions start from `launch` here, so each test controls exactly which lifecycles run.
  fleet = await LocalFleet.start({ startFromEvents: false, ...options, ecs: { idleTimeoutMs: 400, ...options.ecs } });
  return fleet;
}

afterEach(async () => {
  await fleet.stop();
});

/** A queued job on the fake GitHub and the launch request the rule would make of it (no webhook involved). */
function queuedJob(labels = ['self-hosted', 'fargate-small'], durationMs = 30) {
  const job = fleet.github.queueJob({ owner: SANDBOX_ORGANIZATION, repo: 'hello-world', labels, durationMs });
  const request = { owner: SANDBOX_ORGANIZATION, repo: 'hello-world', labels, jobId: job.id, runId: job.runId, runAttempt: 1, installationId: 42 };
  return { job, request };
}

const attemptsOf = (result: ExecutionResult) => (result.output as LifecycleState).attempts;

/**
 * Stored objects besides the runner-name and re-run claims, which outlive the lifecycle on purpose (to stop late
 * duplicates; the bucket's lifecycle rule expires them).
 */
const objectsLeft = () =>
  fleet.s3.keys().filter((key) => {
    const inBucket = key.split('/').slice(1).join('/');
    return !inBucket.startsWith(CLAIM_OBJECT_PREFIX) && !inBucket.startsWith(RERUN_OBJECT_PREFIX);
  });

/**
 * Nothing may outlive a lifecycle: no registration, no JIT file, no task, no secret in a history or a log. Waits
 * first for what the test's executions set going (a handoff the job-started handler started, a webhook in flight).
 */
async function expectNothingLeftBehind(): Promise<void> {
  await fleet.settled();
  expect(fleet.github.runners().filter((runner) => runner.name.startsWith('ecs-'))).toEqual([]);
  expect(objectsLeft()).toEqual([]);
  expect(fleet.ecs.running()).toEqual([]);
  expect(fleet.leakedSecrets()).toEqual([]);
}

describe('runner lifecycle', () => {
  it('serves a queued job in five transitions and two GitHub calls, leaving nothing behind', async () => {
    // GIVEN a fleet whose installation token is already cached (a warm container)
    await startFleet();
    await fleet.privateKeyReader.read();
    const { request: warmUp } = queuedJob();
    await fleet.launch(warmUp);
    const before = { ...fleet.github.stats().calls };

    // WHEN a queued job's lifecycle runs
    const { job, request } = queuedJob();
    const result = await fleet.launch(request);

    // THEN it takes the happy path, and the job ran on the runner minted for it
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(HAPPY_PATH);
    expect(fleet.github.job(job.id)).toMatchObject({ status: 'completed', conclusion: 'success', runnerName: `ecs-${job.id}-1` });
    expect(attemptsOf(result)).toEqual([expect.objectContaining({ attempt: 1, outcome: 'served-job', capacity: 'spot', capacityProvider: 'FARGATE_SPOT', runnerClass: 'small' })]);
    const calls: Record<string, number> = Object.fromEntries(
      Object.entries(fleet.github.stats().calls)
        .map(([route, n]): [string, number] => [route, n - (before[route] ?? 0)])
        .filter(([, n]) => n !== 0),
    );
    expect(calls).toEqual({ [JITCONFIG]: 1, [GET_JOB]: 1 });
    expect(Object.entries(fleet.secretsManager.reads).filter(([arn]) => arn.includes('PrivateKey')).map(([, reads]) => reads)).toEqual([1]);
    await expectNothingLeftBehind();
  });

  it('starts from a signed webhook through the relay, the bus and the rule', async () => {
    await startFleet({ startFromEvents: true });

    const job = fleet.queueJob({ repo: 'hello-world', labels: ['self-hosted', 'fargate-large', 'arm64'], durationMs: 20 });
    await fleet.settled();

    expect(fleet.executions).toHaveLength(1);
    expect(fleet.executions[0]?.path).toEqual(HAPPY_PATH);
    expect(attemptsOf(fleet.executions[0] as ExecutionResult)[0]).toMatchObject({ runnerClass: 'large-arm', outcome: 'served-job' });
    expect(fleet.github.job(job.id)?.status).toBe('completed');
    await expectNothingLeftBehind();
  });

  it('fails with NoMatchingRunnerClass when no class covers the labels, and launches nothing', async () => {
    await startFleet();

    const result = await fleet.launch({ owner: SANDBOX_ORGANIZATION, repo: 'hello-world', labels: ['self-hosted', 'gpu'] });

    expect(result).toMatchObject({ status: 'FAILED', error: ERROR.noMatchingRunnerClass, path: [STATE.mintToken, STATE.noMatchingRunnerClass] });
    expect(result.cause).toContain('gpu');
    expect(fleet.ecs.tasks).toEqual([]);
    await expectNothingLeftBehind();
  });

  it('fails with InvalidLaunchRequest naming the bad field of a manual launch', async () => {
    await startFleet();

    const result = await fleet.launch({ owner: SANDBOX_ORGANIZATION, repo: 'hello-world', labels: 'fargate-small' });

    expect(result).toMatchObject({ status: 'FAILED', error: ERROR.invalidLaunchRequest, path: [STATE.mintToken, STATE.failed] });
    expect(result.cause).toContain('labels');
  });

  it('ends a duplicate event for the same job in Duplicate, with one runner for the job', async () => {
    await startFleet();
    const { job, request } = queuedJob();

    const results = await Promise.all([fleet.launch(request), fleet.launch(request)]);

    expect(results.map((r) => r.path.at(-1)).sort()).toEqual([STATE.done, STATE.duplicate].sort());
    expect(results.find((r) => r.path.at(-1) === STATE.duplicate)?.path).toEqual([STATE.mintToken, STATE.duplicate]);
    expect(fleet.ecs.tasks).toHaveLength(1);
    expect(fleet.github.job(job.id)?.status).toBe('completed');
    await expectNothingLeftBehind();
  });

  it('ends a late duplicate of the event, after the first lifecycle is Done, in Duplicate without asking GitHub', async () => {
    // GIVEN a job served by a lifecycle that has ended
    await startFleet();
    const { job, request } = queuedJob();
    const first = await fleet.launch(request);
    const registrations = fleet.github.stats().calls[JITCONFIG];

    // WHEN the same launch request starts another execution (a webhook redelivery, an archive replay)
    const late = await fleet.launch(request);

    // THEN it stops at the runner name's claim: no registration, no task
    expect(first.path).toEqual(HAPPY_PATH);
    expect(late).toMatchObject({ status: 'SUCCEEDED', path: [STATE.mintToken, STATE.duplicate] });
    expect(fleet.github.stats().calls[JITCONFIG]).toBe(registrations);
    expect(fleet.ecs.tasks).toHaveLength(1);
    expect(fleet.s3.keys()).toEqual([expect.stringMatching(new RegExp(`/${CLAIM_OBJECT_PREFIX}ecs-${job.id}-1$`))]);
    await expectNothingLeftBehind();
  });

  it('runs the same task on on-demand capacity when Spot has none', async () => {
    await startFleet();
    fleet.ecs.planner = scriptedPlans({ kind: 'no-capacity' }, { kind: 'normal' });
    const { job, request } = queuedJob();

    const result = await fleet.launch(request);

    expect(result.path).toEqual([STATE.mintToken, STATE.runRunner, STATE.runRunnerOnDemand, STATE.cleanUp, STATE.checkJob, STATE.done]);
    expect(fleet.ecs.tasks.map((t) => t.capacityProvider)).toEqual(['FARGATE']);
    expect(fleet.github.job(job.id)?.status).toBe('completed');
    await expectNothingLeftBehind();
  });

  it.each([
    ['a failed task (runner exit 143)', 143],
    ['a successful task output (runner exit 0)', 0],
  ])('relaunches after a Spot interruption before the job started, seen in %s', async (_, runnerExitCode) => {
    await startFleet();
    fleet.ecs.planner = scriptedPlans({ kind: 'interrupted-before-job', afterMs: 20, runnerExitCode }, { kind: 'normal' });
    const { job, request } = queuedJob();

    const result = await fleet.launch(request);

    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual([...HAPPY_PATH.slice(0, 4), ...HAPPY_PATH]);
    expect(attemptsOf(result).map((a) => [a.runner, a.outcome])).toEqual([
      [`ecs-${job.id}-1`, 'spot-interrupted'],
      [`ecs-${job.id}-2`, 'served-job'],
    ]);
    expect(fleet.github.job(job.id)).toMatchObject({ status: 'completed', runnerName: `ecs-${job.id}-2` });
    await expectNothingLeftBehind();
  });

  it('moves to on-demand capacity after repeated Spot interruptions', async () => {
    await startFleet();
    const interrupted = { kind: 'interrupted-before-job', afterMs: 10 } as const;
    fleet.ecs.planner = scriptedPlans(interrupted, interrupted, { kind: 'normal' });
    const { job, request } = queuedJob();

    const result = await fleet.launch(request);

    expect(fleet.ecs.tasks.map((t) => t.capacityProvider)).toEqual(['FARGATE_SPOT', 'FARGATE_SPOT', 'FARGATE']);
    expect(attemptsOf(result).map((a) => a.capacity)).toEqual(['spot', 'spot', 'on-demand']);
    expect((result.output as LifecycleState).interruptions).toBe(2);
    expect(fleet.github.job(job.id)?.status).toBe('completed');
    await expectNothingLeftBehind();
  });

  it('ends in Not needed when the job was taken by another runner before the relaunch', async () => {
    await startFleet();
    fleet.ecs.planner = scriptedPlans({ kind: 'interrupted-before-job', afterMs: 10 });
    const { job, request } = queuedJob();
    // Between Clean up deciding to relaunch and Mint token, a runner outside this lifecycle takes the job.
    let foreignRunner: Promise<void> | undefined;
    fleet.observeSteps = ({ step }, output) => {
      if (step === 'clean-up' && (output as LifecycleState).next === 'relaunch') foreignRunner ??= takeJobWithForeignRunner();
    };

    const result = await fleet.launch(request);
    await foreignRunner;

    expect(result.path).toEqual([...HAPPY_PATH.slice(0, 4), STATE.mintToken, STATE.notNeeded]);
    expect(fleet.github.job(job.id)).toMatchObject({ status: 'completed', runnerName: 'foreign-runner' });
    expect(objectsLeft()).toEqual([]);
    expect(fleet.ecs.running()).toEqual([]);
  });

  it('launches the next runner as soon as its runner is taken by another job, without waiting for that job to end', async () => {
    await startFleet();
    // Another job with the same labels was queued earlier: the runner minted for ours takes that one (a long job).
    const other = fleet.github.queueJob({ owner: SANDBOX_ORGANIZATION, repo: 'other', labels: ['self-hosted', 'fargate-small'], durationMs: 600 });
    const { request } = queuedJob();

    const result = await fleet.launch(request);
    await fleet.settled();

    // THEN the job-started handler saw the stolen runner and launched attempt 2 in an execution of its own...
    const handoff = fleet.executions.find((e) => e.executionArn.endsWith(`:job-${request.jobId}-runner-2-handoff`));
    expect(handoff?.path).toEqual(HAPPY_PATH);
    expect(fleet.github.job(request.jobId)).toMatchObject({ status: 'completed', runnerName: `ecs-${request.jobId}-2` });
    // ...which served our job while the stolen runner was still busy with the other one
    expect(fleet.github.job(request.jobId)?.completedAtMs).toBeLessThan(fleet.github.job(other.id)?.completedAtMs ?? 0);
    // AND the first lifecycle, seeing the next runner launched, ends Done instead of launching a third
    expect(result.path).toEqual(HAPPY_PATH);
    expect(attemptsOf(result).map((a) => a.outcome)).toEqual(['served-other-job']);
    expect(fleet.ecs.tasks).toHaveLength(2);
    await expectNothingLeftBehind();
  });

  it('still launches again at the end of a stolen runner when the job-started event never came', async () => {
    await startFleet({ handleJobStarted: false });
    const other = fleet.github.queueJob({ owner: SANDBOX_ORGANIZATION, repo: 'other', labels: ['self-hosted', 'fargate-small'], durationMs: 20 });
    const { request } = queuedJob();

    const result = await fleet.launch(request);

    expect(attemptsOf(result).map((a) => a.outcome)).toEqual(['served-other-job', 'served-job']);
    expect(fleet.github.job(other.id)?.status).toBe('completed');
    expect(fleet.github.job(request.jobId)).toMatchObject({ status: 'completed', runnerName: `ecs-${request.jobId}-2` });
    await expectNothingLeftBehind();
  });

  it('re-runs a job whose runner was Spot-interrupted mid-job when re-runs are on; the new attempt gets its own runner', async () => {
    await startFleet({ fleet: { rerunInterruptedJobs: true }, startFromEvents: true });
    fleet.ecs.planner = scriptedPlans({ kind: 'interrupted-during-job', afterFraction: 0.5 }, { kind: 'normal' });

    const job = fleet.queueJob({ repo: 'hello-world', labels: ['self-hosted', 'fargate-small'], durationMs: 60 });
    await fleet.settled();

    const first = fleet.executions.find((e) => e.path.includes(STATE.rerunJob));
    expect(first?.path).toEqual([STATE.mintToken, STATE.runRunner, STATE.cleanUp, STATE.checkJob, STATE.rerunJob, STATE.done]);
    const attempts = fleet.github.jobs().filter((candidate) => candidate.runId === job.runId);
    expect(attempts.map((attempt) => [attempt.runAttempt, attempt.conclusion])).toEqual([
      [1, 'failure'],
      [2, 'success'],
    ]);
    expect(fleet.executions).toHaveLength(2);
    await expectNothingLeftBehind();
  });

  it('does not re-run a job interrupted mid-job when re-runs are off (the default)', async () => {
    await startFleet({ startFromEvents: true });
    fleet.ecs.planner = scriptedPlans({ kind: 'interrupted-during-job', afterFraction: 0.5 }, { kind: 'normal' });

    const job = fleet.queueJob({ repo: 'hello-world', labels: ['self-hosted', 'fargate-small'], durationMs: 60 });
    await fleet.settled();

    expect(fleet.executions.map((e) => e.path)).toEqual([HAPPY_PATH]);
    expect(fleet.github.jobs().filter((candidate) => candidate.runId === job.runId).map((attempt) => attempt.conclusion)).toEqual(['failure']);
    await expectNothingLeftBehind();
  });

  it('serves jobs whose webhooks failed during an EventBridge outage once the scheduled redelivery sends them again', async () => {
    // GIVEN an outage: the relay answers 5xx, so GitHub records failed deliveries (and never retries by itself)
    await startFleet({ startFromEvents: true, timeScale: 600 });
    fleet.bus.failing = true;
    // (one job per class, so that no runner can take another's job and every delivery must be redelivered)
    const labelSets = [['self-hosted', 'fargate-small'], ['self-hosted', 'fargate-large', 'arm64'], ['self-hosted', 'docker']];
    const jobs = labelSets.map((labels) => fleet.queueJob({ repo: 'hello-world', labels, durationMs: 20 }));
    await fleet.settled();
    expect(fleet.executions).toEqual([]);
    expect(fleet.github.deliveries().filter((d) => d.status !== 'OK')).toHaveLength(3);

    // WHEN the outage is over and the scheduled redelivery runs (each run after the minimum attempt age): the first
    // run sends one probe, as the newest delivery still shows the outage; the next sends the rest
    fleet.bus.failing = false;
    const runs = [];
    for (let run = 0; run < 2; run += 1) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      runs.push(await fleet.redeliver());
      await fleet.settled();
    }

    // THEN each failed delivery was sent once more, and every job was served by its own lifecycle
    expect(runs.map((run) => run.redelivered)).toEqual([1, 2]);
    expect(jobs.map((job) => fleet.github.job(job.id)?.conclusion)).toEqual(['success', 'success', 'success']);
    expect(fleet.executions.map((e) => e.path)).toEqual([HAPPY_PATH, HAPPY_PATH, HAPPY_PATH]);
    // AND a further run finds nothing more to do
    await new Promise((resolve) => setTimeout(resolve, 150));
    await expect(fleet.redeliver()).resolves.toMatchObject({ redelivered: 0 });
    await expectNothingLeftBehind();
  });

  it('never runs more runners of a class than its maxRunners: a job beyond the cap waits for a slot, then is served', async () => {
    const fleetConfig = sandboxFleetConfig();
    const capped = fleetConfig.runnerClasses.map((cls) => (cls.name === 'small' ? { ...cls, maxRunners: 2 } : cls));
    await startFleet({ fleet: { runnerClasses: capped }, retryIntervalMs: { scale: 60 } });
    const jobs = [0, 1, 2, 3, 4].map(() => queuedJob(['self-hosted', 'fargate-small'], 150));

    const results = await Promise.all(jobs.map(({ request }) => fleet.launch(request)));
    // A job may be served by the runner of a handoff the job-started handler started: wait for those too.
    await fleet.settled();

    expect(results.map((r) => r.status)).toEqual(Array(5).fill('SUCCEEDED'));
    expect(jobs.map(({ job }) => fleet.github.job(job.id)?.conclusion)).toEqual(Array(5).fill('success'));
    expect(mostAtOnce(fleet.ecs.tasks)).toBe(2);
    const capRetries = results.flatMap((r) => r.events).filter((e) => e.type === 'StateRetried' && JSON.stringify(e).includes(ERROR.runnerCapReached));
    expect(capRetries.length).toBeGreaterThan(0);
    await expectNothingLeftBehind();
  });

  it('fails with AttemptsExhausted when every runner crashes, cleaning up after each', async () => {
    await startFleet({ fleet: { maxAttempts: 3 } });
    fleet.ecs.planner = scriptedPlans({ kind: 'crashes', exitCode: 12 });
    const { job, request } = queuedJob();

    const result = await fleet.launch(request);

    expect(result).toMatchObject({ status: 'FAILED', error: ERROR.attemptsExhausted });
    expect(result.path.filter((s) => s === STATE.cleanUp)).toHaveLength(3);
    expect(result.path.at(-1)).toBe(STATE.failed);
    expect(result.cause).toContain('exit 12');
    expect(fleet.github.job(job.id)?.status).toBe('queued');
    await expectNothingLeftBehind();
  });

  it('fails with RunnerFailed and cleans up when a manual runner cannot start', async () => {
    await startFleet();
    fleet.ecs.planner = scriptedPlans({ kind: 'fails-to-start', reason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)' });

    const result = await fleet.launch({ owner: SANDBOX_ORGANIZATION, repo: 'hello-world', labels: ['fargate-small'] });

    expect(result).toMatchObject({ status: 'FAILED', error: ERROR.runnerFailed });
    expect(result.path).toEqual([STATE.mintToken, STATE.runRunner, STATE.cleanUp, STATE.checkJob, STATE.failed]);
    expect(result.cause).toContain('CannotPullContainerError');
    await expectNothingLeftBehind();
  });

  it('waits out a short GitHub rate limit inside the Lambda and then serves the job', async () => {
    await startFleet();
    fleet.github.forceRateLimit({ kind: 'secondary', durationMs: 400 });
    const { job, request } = queuedJob();

    const result = await fleet.launch(request);

    expect(result.path).toEqual(HAPPY_PATH);
    expect(result.events.filter((e) => e.type === 'StateRetried')).toEqual([]);
    expect(fleet.github.stats().rateLimited.secondary).toBeGreaterThan(0);
    expect(fleet.github.job(job.id)?.status).toBe('completed');
    await expectNothingLeftBehind();
  });

  it('leaves a rate limit longer than the Lambda may wait to Step Functions retries, then serves the job', async () => {
    await startFleet({ retryIntervalMs: 100, gitHubWaitBudgetMs: 0 });
    fleet.github.forceRateLimit({ kind: 'secondary', durationMs: 400 });
    const { job, request } = queuedJob();

    const result = await fleet.launch(request);

    expect(result.path).toEqual(HAPPY_PATH);
    expect(result.events.filter((e) => e.type === 'StateRetried').length).toBeGreaterThan(0);
    expect(fleet.github.job(job.id)?.status).toBe('completed');
    await expectNothingLeftBehind();
  });

  it('rides out GitHub 5xx errors with retries', async () => {
    await startFleet({ seed: 7, faults: { serverErrorRate: 0.3 } });
    const { job, request } = queuedJob();

    const result = await fleet.launch(request);

    expect(result.status).toBe('SUCCEEDED');
    expect(fleet.github.stats().serverErrors).toBeGreaterThan(0);
    expect(fleet.github.job(job.id)?.status).toBe('completed');
    await expectNothingLeftBehind();
  });

  it('serves the job when generate-jitconfig registers the runner but its response is lost', async () => {
    // GIVEN GitHub loses the response of half the registrations, after registering the runner
    await startFleet({ seed: 3, faults: { serverErrorRateByRoute: { [JITCONFIG]: 0.5 }, lostResponseShare: 1 } });
    const { job, request } = queuedJob();

    // WHEN the job's lifecycle runs
    const result = await fleet.launch(request);

    // THEN the retry met 409, deleted its own orphaned registration and registered again, instead of ending as a duplicate
    expect(fleet.github.stats().faultsInjected).toBeGreaterThan(0);
    // (each lost response costs one 409 and one DELETE of the orphan; the seed decides how many are lost)
    const conflicts = fleet.github.stats().statuses['409'] ?? 0;
    expect(conflicts).toBeGreaterThanOrEqual(1);
    expect(fleet.github.stats().calls['DELETE /orgs/{org}/actions/runners/{runner_id}']).toBe(conflicts);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(HAPPY_PATH);
    expect(fleet.github.job(job.id)).toMatchObject({ status: 'completed', runnerName: `ecs-${job.id}-1` });
    await expectNothingLeftBehind();
  });

  it('cleans up the registration when storing the JIT file fails, then launches again', async () => {
    await startFleet();
    fleet.s3.failNextPuts = 1;
    const { job, request } = queuedJob();

    const result = await fleet.launch(request);

    expect(result.path).toEqual([STATE.mintToken, STATE.cleanUp, STATE.checkJob, ...HAPPY_PATH]);
    expect(attemptsOf(result).map((a) => a.outcome)).toEqual(['launch-failed', 'served-job']);
    expect(fleet.github.job(job.id)?.status).toBe('completed');
    await expectNothingLeftBehind();
  });

  it('retries ECS throttling before giving up on a launch', async () => {
    await startFleet();
    fleet.ecs.planner = scriptedPlans({ kind: 'throttled' }, { kind: 'throttled' }, { kind: 'normal' });
    const { job, request } = queuedJob();

    const result = await fleet.launch(request);

    expect(result.path).toEqual(HAPPY_PATH);
    expect(result.events.filter((e) => e.type === 'StateRetried')).toHaveLength(2);
    expect(fleet.github.job(job.id)?.status).toBe('completed');
    await expectNothingLeftBehind();
  });
});

/** A self-hosted runner that is not ours registers and takes the first queued job it can. */
async function takeJobWithForeignRunner(): Promise<void> {
  const target = { type: 'organization' as const, org: SANDBOX_ORGANIZATION, installationId: 42 };
  const { encodedJitConfig } = await fleet.gitHubClient.generateJitConfig(target, { name: 'foreign-runner', labels: ['fargate-small'], runnerGroupId: 1, workFolder: '_work' });
  const session = fleet.github.connectRunner(encodedJitConfig);
  await session.nextJob();
  session.completeJob('success');
}
