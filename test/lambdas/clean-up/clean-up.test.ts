import { DeleteObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ECSClient, ListTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import nock from 'nock';
import type { AttemptSummary, LifecycleState } from '../../../statemachine/contracts';
import { cleanUp, STOP_REASON, type CleanUpDeps } from '../../../lambdas/clean-up/clean-up';
import type { GitHubClient } from '../../../lambdas/github/client';
import { RunnerBusyError } from '../../../lambdas/shared/errors';
import { createMetrics } from '../../../lambdas/shared/metrics';
import { aGitHubClient, captureLogs, expectTokenExchange, type LogCapture } from '../support/github-app';
import { claimHeldBy, OTHER_EXECUTION_ARN, s3Error } from '../support/s3';
import { API_URL, errorBodies, jobResponse, runnersResponse, type JobFixture } from '../support/github-fixtures';
import { aLaunchRequest, aLifecycleState, aManualRequest, aRunnerLaunch, aStepsConfig, aStoppedTask, CLUSTER_ARN, EXECUTION, TASK_ARN, withoutRunner } from '../support/builders';
import { useNock } from '../support/nock';

const RUNNER = 'ecs-1234567-1';
const JOB_PATH = '/repos/octo-org/hello-world/actions/jobs/1234567';
const RUNNER_PATH = '/repos/octo-org/hello-world/actions/runners/23';
const s3 = new S3Client({ region: 'eu-west-1' });
const ecs = new ECSClient({ region: 'eu-west-1' });
const s3Mock = mockClient(s3);
const ecsMock = mockClient(ecs);
let logs: LogCapture;
let github: GitHubClient;

let metricLines: string[];

function deps(overrides: Partial<CleanUpDeps> = {}): CleanUpDeps {
  return { github, s3, ecs, config: aStepsConfig(), logger: logs.logger, metrics: createMetrics((line) => metricLines.push(line)), ...overrides };
}

const metricsWritten = () => metricLines.map((line) => JSON.parse(line) as Record<string, unknown>);

function anAttempt(attempt: number, outcome: AttemptSummary['outcome']): AttemptSummary {
  return { attempt, runner: `ecs-1234567-${attempt}`, runnerClass: 'fargate', capacity: 'spot', capacityProvider: 'FARGATE_SPOT', taskArn: TASK_ARN, outcome, detail: null, registrationDeleted: false };
}

function jobIs(job: JobFixture) {
  return nock(API_URL).get(JOB_PATH).reply(200, jobResponse(job));
}

/** The registration check Clean up makes before a DELETE when the runner exited normally (1 point, not 5). */
function registrationExists(exists: boolean) {
  return exists
    ? nock(API_URL).get(RUNNER_PATH).reply(200, runnersResponse([{ id: 23, name: RUNNER }]).runners[0])
    : nock(API_URL).get(RUNNER_PATH).reply(404, errorBodies.notFound);
}

function expectJitObjectDeleted(name = RUNNER) {
  expect(s3Mock).toHaveReceivedCommandWith(DeleteObjectCommand, { Bucket: 'fleet-jit-configs', Key: `jit/${name}.env` });
}

/** The state after Run runner: Mint token's output plus the stopped task. */
function afterRunRunner(task: unknown, overrides: Partial<LifecycleState> = {}): LifecycleState {
  return { ...aLifecycleState(overrides), task };
}

useNock({ ignore: (mock) => mock.includes('access_tokens') });
beforeEach(() => {
  s3Mock.reset();
  ecsMock.reset();
  s3Mock.on(DeleteObjectCommand).resolves({});
  // No claim, assignment or other object unless a test puts one there.
  s3Mock.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404));
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
  ecsMock.on(StopTaskCommand).resolves({});
  logs = captureLogs();
  metricLines = [];
  github = aGitHubClient({ logger: logs.logger });
  expectTokenExchange();
});

describe('cleanUp after the runner served its job', () => {
  it('skips the registration delete GitHub already did, deletes the JIT file and ends the lifecycle', async () => {
    // GIVEN the runner exited 0 and GitHub shows the job completed by it
    jobIs({ status: 'completed', conclusion: 'success', runner_name: RUNNER, runner_id: 23 });

    // WHEN Clean up runs
    const state = await cleanUp(afterRunRunner(aStoppedTask()), EXECUTION, deps());

    // THEN one GitHub call besides the token, no DELETE, no ECS call, and a summary of the attempt
    expect(github.callCounts()).toEqual({ 'POST /app/installations/{installation_id}/access_tokens': 1, 'GET /repos/{owner}/{repo}/actions/jobs/{job_id}': 1 });
    expect(ecsMock).not.toHaveReceivedAnyCommand();
    expectJitObjectDeleted();
    expect(state).toEqual({
      request: aLaunchRequest(),
      attempt: 1,
      interruptions: 0,
      onDemand: false,
      next: 'done',
      attempts: [
        {
          attempt: 1,
          runner: RUNNER,
          runnerClass: 'fargate',
          capacity: 'spot',
          capacityProvider: 'FARGATE_SPOT',
          taskArn: TASK_ARN,
          outcome: 'served-job',
          detail: 'EssentialContainerExited: Essential container in task exited; runner exit 0',
          registrationDeleted: false,
          timing: { jobQueuedAt: '2026-12-04T16:00:00Z', runnerStartedAt: null, jobStartedAt: '2026-12-04T16:00:00Z' },
        },
      ],
    });
  });

  it('keeps the runner name\'s claim, so that a late duplicate of the event is still caught', async () => {
    jobIs({ status: 'completed', conclusion: 'success', runner_name: RUNNER });

    await cleanUp(afterRunRunner(aStoppedTask()), EXECUTION, deps());

    // The JIT file and the assignment record are the only objects deleted: the bucket's lifecycle rule expires the claim.
    expect(s3Mock.commandCalls(DeleteObjectCommand).map((call) => call.args[0].input.Key)).toEqual([`jit/${RUNNER}.env`, `assignments/${RUNNER}.json`]);
  });

  it('returns the same state when run twice', async () => {
    jobIs({ status: 'completed', conclusion: 'success', runner_name: RUNNER });
    jobIs({ status: 'completed', conclusion: 'success', runner_name: RUNNER });
    const input = afterRunRunner(aStoppedTask());

    const first = await cleanUp(input, EXECUTION, deps());
    const second = await cleanUp(input, EXECUTION, deps());

    expect(second).toEqual(first);
  });

  it('accepts an already-deleted registration (404) for a manual launch and counts it as served', async () => {
    registrationExists(false);
    const input = afterRunRunner(aStoppedTask(), { request: aManualRequest({ installationId: 42 }), runner: aRunnerLaunch({ name: 'ecs-mtry-1' }) });

    const state = await cleanUp(input, EXECUTION, deps());

    expect(state.next).toBe('done');
    expect(state.attempts[0]).toMatchObject({ outcome: 'served-job', registrationDeleted: false });
    expectJitObjectDeleted('ecs-mtry-1');
  });
});

describe('cleanUp after a runner that served no job', () => {
  it('deletes an idle runner and relaunches while the job is still queued', async () => {
    jobIs({ status: 'queued' });
    registrationExists(true);
    nock(API_URL).delete(RUNNER_PATH).reply(204);

    const state = await cleanUp(afterRunRunner(aStoppedTask()), EXECUTION, deps());

    expect(state).toMatchObject({ next: 'relaunch', attempt: 1, attempts: [{ outcome: 'idle', registrationDeleted: true }] });
    expectJitObjectDeleted();
  });

  it('relaunches when the runner took another job (its registration is gone) and ours is still queued', async () => {
    jobIs({ status: 'queued' });
    registrationExists(false);

    const state = await cleanUp(afterRunRunner(aStoppedTask()), EXECUTION, deps());

    expect(state).toMatchObject({ next: 'relaunch', attempts: [{ outcome: 'served-other-job', registrationDeleted: false }] });
  });

  it('ends without relaunching when another runner served the job', async () => {
    jobIs({ status: 'completed', conclusion: 'success', runner_name: 'ecs-1234567-9' });
    registrationExists(true);
    nock(API_URL).delete(RUNNER_PATH).reply(204);

    const state = await cleanUp(afterRunRunner(aStoppedTask()), EXECUTION, deps());

    expect(state).toMatchObject({ next: 'done', attempts: [{ outcome: 'idle' }] });
    expect(state).not.toHaveProperty('error');
  });

  it('fails with AttemptsExhausted when the last attempt ends and the job is still queued', async () => {
    jobIs({ status: 'queued' });
    registrationExists(true);
    nock(API_URL).delete(RUNNER_PATH).reply(204);
    const earlier = [anAttempt(1, 'spot-interrupted'), anAttempt(2, 'idle')];
    const input = afterRunRunner(aStoppedTask(), { attempt: 3, attempts: earlier, runner: aRunnerLaunch({ name: 'ecs-1234567-3' }) });

    const state = await cleanUp(input, EXECUTION, deps({ config: aStepsConfig({ maxAttempts: 3 }) }));

    expect(state).toMatchObject({
      next: 'fail',
      error: { Error: 'AttemptsExhausted', Cause: 'Job 1234567 still queued after 3 launch(es), 3 of which served no job; last: EssentialContainerExited: Essential container in task exited; runner exit 0' },
    });
  });

  it('does not count launches whose runner another job took against maxAttempts: each of them served a job', async () => {
    jobIs({ status: 'queued' });
    registrationExists(true);
    nock(API_URL).delete(RUNNER_PATH).reply(204);
    const earlier = [anAttempt(1, 'served-other-job'), anAttempt(2, 'served-other-job')];
    const input = afterRunRunner(aStoppedTask(), { attempt: 3, attempts: earlier, runner: aRunnerLaunch({ name: 'ecs-1234567-3' }) });

    const state = await cleanUp(input, EXECUTION, deps({ config: aStepsConfig({ maxAttempts: 3 }) }));

    expect(state.next).toBe('relaunch');
  });

  it('fails with RunnerBusy when GitHub says the runner is still running a job (422), for a retry later', async () => {
    jobIs({ status: 'in_progress', runner_name: RUNNER });
    registrationExists(true);
    nock(API_URL).delete(RUNNER_PATH).reply(422, errorBodies.runnerBusy(RUNNER));

    await expect(cleanUp(afterRunRunner(aStoppedTask()), EXECUTION, deps())).rejects.toBeInstanceOf(RunnerBusyError);
    expectJitObjectDeleted();
  });

  it('completes on the retry after RunnerBusy as a first clean run would', async () => {
    // GIVEN the first try met a busy runner
    jobIs({ status: 'queued' });
    registrationExists(true);
    nock(API_URL).delete(RUNNER_PATH).reply(422, errorBodies.runnerBusy(RUNNER));
    const input = afterRunRunner(aStoppedTask());
    await cleanUp(input, EXECUTION, deps()).catch(() => undefined);
    jobIs({ status: 'queued' });
    registrationExists(true);
    nock(API_URL).delete(RUNNER_PATH).reply(204);

    // WHEN the state machine retries it with the same input
    const state = await cleanUp(input, EXECUTION, deps());

    // THEN it records the attempt once, as idle
    expect(state).toMatchObject({ next: 'relaunch', attempts: [{ outcome: 'idle', registrationDeleted: true }] });
  });
});

describe('cleanUp after a Spot interruption or a capacity error', () => {
  const spotTask = aStoppedTask({ StopCode: 'SpotInterruption', StoppedReason: 'Your Spot Task was interrupted.', runnerExitCode: 143 });

  it('counts a Spot interruption found in the success output and relaunches the queued job', async () => {
    jobIs({ status: 'queued' });
    nock(API_URL).delete(RUNNER_PATH).reply(204);

    const state = await cleanUp(afterRunRunner(spotTask), EXECUTION, deps());

    expect(state).toMatchObject({ next: 'relaunch', interruptions: 1, onDemand: false, attempts: [{ outcome: 'spot-interrupted', capacityProvider: 'FARGATE_SPOT' }] });
  });

  it('counts a Spot interruption found in a States.TaskFailed cause, and asks for on-demand after enough of them', async () => {
    jobIs({ status: 'queued' });
    nock(API_URL).delete(RUNNER_PATH).reply(204);
    const { runner, ...rest } = aLifecycleState({ interruptions: 1 });
    const input = { ...rest, runner, error: { Error: 'States.TaskFailed', Cause: JSON.stringify(spotTask) } };

    const state = await cleanUp(input, EXECUTION, deps({ config: aStepsConfig({ onDemandAfterInterruptions: 2 }) }));

    expect(state).toMatchObject({ next: 'relaunch', interruptions: 2, onDemand: true, attempts: [{ outcome: 'spot-interrupted', taskArn: TASK_ARN }] });
    expect(state).not.toHaveProperty('error');
  });

  it('asks for on-demand capacity after a capacity error and relaunches', async () => {
    // GIVEN RunTask failed for capacity on Spot and on demand: no task was started
    jobIs({ status: 'queued' });
    nock(API_URL).delete(RUNNER_PATH).reply(204);
    const input = { ...aLifecycleState(), error: { Error: 'ECS.AmazonECSException', Cause: 'Capacity is unavailable at this time. Please try again later or in a different availability zone' } };

    // WHEN Clean up runs
    const state = await cleanUp(input, EXECUTION, deps());

    // THEN the next launch goes on demand, and a task that might have started anyway was looked for
    expect(state).toMatchObject({ next: 'relaunch', onDemand: true, attempts: [{ outcome: 'capacity-unavailable', taskArn: null }] });
    expect(ecsMock).toHaveReceivedCommandWith(ListTasksCommand, { cluster: CLUSTER_ARN, startedBy: RUNNER });
    expect(ecsMock).not.toHaveReceivedCommand(StopTaskCommand);
  });

  it('records on-demand capacity when the task ran after the capacity fallback', async () => {
    jobIs({ status: 'completed', conclusion: 'success', runner_name: RUNNER });
    const input = afterRunRunner(aStoppedTask({ CapacityProviderName: 'FARGATE' }), { capacityFallback: { Error: 'ECS.AmazonECSException', Cause: 'Capacity is unavailable' } });

    const state = await cleanUp(input, EXECUTION, deps());

    expect(state.attempts[0]).toMatchObject({ outcome: 'served-job', capacity: 'on-demand', capacityProvider: 'FARGATE' });
    expect(state).not.toHaveProperty('capacityFallback');
  });

  it('relaunches a manual launch after a Spot interruption', async () => {
    nock(API_URL).delete(RUNNER_PATH).reply(204);
    const input = afterRunRunner(spotTask, { request: aManualRequest({ installationId: 42 }), runner: aRunnerLaunch({ name: 'ecs-mtry-1' }) });

    await expect(cleanUp(input, EXECUTION, deps())).resolves.toMatchObject({ next: 'relaunch', interruptions: 1 });
  });
});

describe('cleanUp after a runner failure', () => {
  it('stops the task of a timed-out Run runner and fails with RunnerFailed', async () => {
    // GIVEN Run runner timed out while the runner worked on the job
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [TASK_ARN] });
    jobIs({ status: 'in_progress', runner_name: RUNNER });
    nock(API_URL).delete(RUNNER_PATH).reply(204);
    const input = { ...aLifecycleState(), error: { Error: 'States.Timeout', Cause: '' } };

    // WHEN Clean up runs
    const state = await cleanUp(input, EXECUTION, deps());

    // THEN the task found by runner name is stopped, and the lifecycle fails
    expect(ecsMock).toHaveReceivedCommandWith(ListTasksCommand, { cluster: CLUSTER_ARN, startedBy: RUNNER });
    expect(ecsMock).toHaveReceivedCommandWith(StopTaskCommand, { cluster: CLUSTER_ARN, task: TASK_ARN, reason: STOP_REASON });
    expect(state).toMatchObject({ next: 'fail', error: { Error: 'RunnerFailed', Cause: 'States.Timeout: Run runner timed out' }, attempts: [{ outcome: 'runner-failed' }] });
    expectJitObjectDeleted();
  });

  it('stops a task that is not STOPPED yet', async () => {
    jobIs({ status: 'completed', conclusion: 'success', runner_name: RUNNER });
    const task = aStoppedTask({ LastStatus: 'RUNNING' });

    await cleanUp(afterRunRunner(task), EXECUTION, deps());

    expect(ecsMock).toHaveReceivedCommandWith(StopTaskCommand, { task: TASK_ARN, reason: STOP_REASON });
  });

  it('fails with RunnerFailed and a one-line cause, not the task JSON, when the runner crashed and the job moved on', async () => {
    jobIs({ status: 'completed', conclusion: 'success', runner_name: 'ecs-1234567-9' });
    nock(API_URL).delete(RUNNER_PATH).reply(204);
    const input = { ...aLifecycleState(), error: { Error: 'States.TaskFailed', Cause: JSON.stringify(aStoppedTask({ runnerExitCode: 11 })) } };

    const state = await cleanUp(input, EXECUTION, deps());

    expect(state.error).toEqual({ Error: 'RunnerFailed', Cause: 'EssentialContainerExited: Essential container in task exited; runner exit 11 (Docker daemon not ready)' });
  });

  it('relaunches after a runner failure while the job is still queued', async () => {
    jobIs({ status: 'queued' });
    nock(API_URL).delete(RUNNER_PATH).reply(204);
    const input = { ...aLifecycleState(), error: { Error: 'States.TaskFailed', Cause: JSON.stringify(aStoppedTask({ runnerExitCode: 12 })) } };

    await expect(cleanUp(input, EXECUTION, deps())).resolves.toMatchObject({ next: 'relaunch', attempts: [{ outcome: 'runner-failed' }] });
  });
});

describe('cleanUp after Mint token failed', () => {
  const mintFailure = { Error: 'GitHubUnavailable', Cause: JSON.stringify({ errorType: 'GitHubUnavailable', errorMessage: 'GitHub is unavailable for PUT: HTTP 502' }) };

  it('finds the registration by its deterministic name, deletes it, and relaunches the queued job', async () => {
    // GIVEN Mint token failed after claiming the name and registering (the raw launch request plus the caught error)
    s3Mock.on(GetObjectCommand, { Key: `claims/${RUNNER}` }).resolves(claimHeldBy(EXECUTION.executionArn) as never);
    jobIs({ status: 'queued' });
    nock(API_URL)
      .get('/repos/octo-org/hello-world/actions/runners')
      .query({ name: RUNNER, per_page: '100' })
      .reply(200, runnersResponse([{ id: 23, name: RUNNER }]));
    nock(API_URL).delete(RUNNER_PATH).reply(204);

    // WHEN Clean up runs
    const state = await cleanUp({ ...aLaunchRequest(), error: mintFailure }, EXECUTION, deps());

    // THEN nothing is left behind and the attempt is recorded as a launch failure
    expect(state).toMatchObject({
      attempt: 1,
      next: 'relaunch',
      attempts: [{ attempt: 1, runner: RUNNER, runnerClass: null, capacity: null, taskArn: null, outcome: 'launch-failed', detail: 'GitHubUnavailable: GitHub is unavailable for PUT: HTTP 502', registrationDeleted: true }],
    });
    expectJitObjectDeleted();
    expect(s3Mock).not.toHaveReceivedCommandWith(DeleteObjectCommand, { Key: `claims/${RUNNER}` });
    expect(ecsMock).not.toHaveReceivedAnyCommand();
  });

  it('looks for the runner of the attempt that Mint token was making on a relaunch', async () => {
    jobIs({ status: 'completed', conclusion: 'success', runner_name: 'someone-else' });
    nock(API_URL).get('/repos/octo-org/hello-world/actions/runners').query({ name: 'ecs-1234567-2', per_page: '100' }).reply(200, runnersResponse([]));
    s3Mock.on(GetObjectCommand, { Key: 'claims/ecs-1234567-2' }).resolves(claimHeldBy(EXECUTION.executionArn) as never);
    const previous = withoutRunner(aLifecycleState({ next: 'relaunch' }));

    const state = await cleanUp({ ...previous, error: mintFailure }, EXECUTION, deps());

    expect(state).toMatchObject({ attempt: 2, next: 'fail', error: { Error: 'GitHubUnavailable' }, attempts: [{ attempt: 2, runner: 'ecs-1234567-2', registrationDeleted: false }] });
    expectJitObjectDeleted('ecs-1234567-2');
  });

  it('touches nothing of the first execution when a duplicate\'s Mint token failed after the name was claimed', async () => {
    // GIVEN another execution holds the claim on this job's runner name, and this execution's Mint token failed
    s3Mock.on(GetObjectCommand, { Key: `claims/${RUNNER}` }).resolves(claimHeldBy(OTHER_EXECUTION_ARN) as never);

    // WHEN Clean up runs
    const state = await cleanUp({ ...aLaunchRequest(), error: mintFailure }, EXECUTION, deps());

    // THEN it ends as a duplicate: no JIT file deleted, no GitHub call, no relaunch
    expect(state).toMatchObject({ next: 'done', attempt: 1, attempts: [] });
    expect(s3Mock).not.toHaveReceivedCommand(DeleteObjectCommand);
    expect(github.callCounts()).toEqual({});
  });

  it('deletes nothing when Mint token failed before claiming the name (no claim at all), and relaunches', async () => {
    s3Mock.on(GetObjectCommand, { Key: `claims/${RUNNER}` }).rejects(s3Error('NoSuchKey', 404));
    jobIs({ status: 'queued' });

    const state = await cleanUp({ ...aLaunchRequest(), error: mintFailure }, EXECUTION, deps());

    expect(state).toMatchObject({ next: 'relaunch', attempts: [{ outcome: 'launch-failed', registrationDeleted: false }] });
    expect(s3Mock).not.toHaveReceivedCommand(DeleteObjectCommand);
    expect(github.callCounts()).toMatchObject({ 'GET /repos/{owner}/{repo}/actions/jobs/{job_id}': 1 });
    expect(Object.keys(github.callCounts()).filter((route) => route.includes('/runners'))).toEqual([]);
  });

  it('touches nothing of a duplicate: the runner name belongs to the execution that registered it', async () => {
    const state = await cleanUp({ ...aLaunchRequest(), error: { Error: 'RunnerNameTaken', Cause: '{}' } }, EXECUTION, deps());

    expect(state).toMatchObject({ next: 'done', attempts: [{ outcome: 'launch-failed' }] });
    expect(s3Mock).not.toHaveReceivedAnyCommand();
    expect(github.callCounts()).toEqual({});
  });

  it('ends without GitHub calls when the job no longer needed a runner', async () => {
    const previous = withoutRunner(aLifecycleState({ next: 'relaunch' }));

    const state = await cleanUp({ ...previous, error: { Error: 'JobNotQueued', Cause: '{}' } }, EXECUTION, deps());

    expect(state.next).toBe('done');
    expect(github.callCounts()).toEqual({});
  });

  it('fails with NoMatchingRunnerClass without relaunching', async () => {
    const state = await cleanUp({ ...aLaunchRequest(), error: { Error: 'NoMatchingRunnerClass', Cause: JSON.stringify({ errorMessage: 'No runner class offers all of the labels [gpu].' }) } }, EXECUTION, deps());

    expect(state).toMatchObject({ next: 'fail', error: { Error: 'NoMatchingRunnerClass', Cause: 'NoMatchingRunnerClass: No runner class offers all of the labels [gpu].' } });
    expect(github.callCounts()).toEqual({});
  });

  it('rejects an input that is not a launch request, naming the field', async () => {
    await expect(cleanUp({ owner: 'octo-org', labels: ['x'], error: { Error: 'InvalidLaunchRequest' } }, EXECUTION, deps())).rejects.toMatchObject({ name: 'InvalidLaunchRequest', field: 'repo' });
  });
});

describe('cleanUp output', () => {
  it('drops runner, task and capacity fallback, and keeps the earlier attempts', async () => {
    jobIs({ status: 'completed', conclusion: 'success', runner_name: 'ecs-1234567-2' });
    const earlier = { attempt: 1, runner: RUNNER, runnerClass: 'fargate', capacity: 'spot' as const, capacityProvider: 'FARGATE_SPOT', taskArn: TASK_ARN, outcome: 'spot-interrupted' as const, detail: 'SpotInterruption', registrationDeleted: true };
    const input = afterRunRunner(aStoppedTask(), { attempt: 2, interruptions: 1, attempts: [earlier], runner: aRunnerLaunch({ name: 'ecs-1234567-2' }), capacityFallback: { Error: 'ECS.AmazonECSException' } });

    const state = await cleanUp(input, EXECUTION, deps());

    expect(Object.keys(state).sort()).toEqual(['attempt', 'attempts', 'interruptions', 'next', 'onDemand', 'request']);
    expect(state.attempts).toHaveLength(2);
    expect(state.attempts[0]).toEqual(earlier);
  });
});

describe('cleanUp and the runner slot, handoffs and re-runs', () => {
  const assignmentOf = (jobId: number, runAttempt: number) => ({
    Body: {
      transformToString: () =>
        Promise.resolve(JSON.stringify({ runner: RUNNER, jobId, owner: 'octo-org', repo: 'other-repo', runId: 99, runAttempt, installationId: 42, startedAt: null })),
    },
  });
  const interruptedMidJob = aStoppedTask({ StopCode: 'SpotInterruption', StoppedReason: 'Your Spot Task was interrupted.', runnerExitCode: 143 });

  it('releases the runner slot of the class, if it still holds it', async () => {
    s3Mock
      .on(GetObjectCommand, { Key: 'slots/fargate/7' })
      .resolves({ Body: { transformToString: () => Promise.resolve(JSON.stringify({ runner: RUNNER, executionArn: 'x' })) }, ETag: '"e7"' } as never);
    jobIs({ status: 'completed', conclusion: 'success', runner_name: RUNNER, runner_id: 23 });

    const state = await cleanUp(afterRunRunner(aStoppedTask(), { runner: aRunnerLaunch({ slot: 'slots/fargate/7' }) }), EXECUTION, deps());

    expect(state.next).toBe('done');
    expect(s3Mock).toHaveReceivedCommandWith(DeleteObjectCommand, { Bucket: 'fleet-jit-configs', Key: 'slots/fargate/7', IfMatch: '"e7"' });
  });

  it('ends Done instead of relaunching when another execution already launched the next runner for the job (a handoff)', async () => {
    // GIVEN the runner took another job, ours is still queued, and the job-started handler launched attempt 2
    jobIs({ status: 'queued' });
    registrationExists(false);
    s3Mock.on(GetObjectCommand, { Key: 'claims/ecs-1234567-2' }).resolves(claimHeldBy(OTHER_EXECUTION_ARN) as never);

    const state = await cleanUp(afterRunRunner(aStoppedTask()), EXECUTION, deps());

    expect(state).toMatchObject({ next: 'done', attempts: [{ outcome: 'served-other-job' }] });
    expect(logs.text()).toContain('handed off');
  });

  it('re-runs the job the interrupted runner had taken, as the job-started handler recorded it, when re-runs are on', async () => {
    // GIVEN a runner interrupted while running another job (run attempt 1); our job is done
    jobIs({ status: 'completed', conclusion: 'success', runner_name: 'ecs-777-1' });
    nock(API_URL).delete(RUNNER_PATH).reply(204);
    s3Mock.on(GetObjectCommand, { Key: `assignments/${RUNNER}.json` }).resolves(assignmentOf(555, 1) as never);

    const state = await cleanUp(afterRunRunner(interruptedMidJob), EXECUTION, deps({ config: aStepsConfig({ rerunInterruptedJobs: true }) }));

    expect(state).toMatchObject({ next: 'rerun', rerun: { owner: 'octo-org', repo: 'other-repo', jobId: 555, runAttempt: 1, installationId: 42 } });
  });

  it('re-runs its own job when GitHub shows the interrupted runner on it and nothing was recorded, deleting the registration GitHub keeps', async () => {
    jobIs({ status: 'completed', conclusion: 'failure', runner_name: RUNNER, runner_id: 23, run_attempt: 1 });
    nock(API_URL).delete(RUNNER_PATH).reply(204);

    const state = await cleanUp(afterRunRunner(interruptedMidJob), EXECUTION, deps({ config: aStepsConfig({ rerunInterruptedJobs: true }) }));

    expect(state).toMatchObject({ next: 'rerun', rerun: { owner: 'octo-org', repo: 'hello-world', jobId: 1234567, runAttempt: 1 } });
  });

  it('does not re-run once the run reached maxRunAttempt, nor when re-runs are off', async () => {
    jobIs({ status: 'completed', conclusion: 'failure', runner_name: RUNNER, runner_id: 23, run_attempt: 3 });
    nock(API_URL).delete(RUNNER_PATH).reply(204);
    const atLimit = await cleanUp(afterRunRunner(interruptedMidJob), EXECUTION, deps({ config: aStepsConfig({ rerunInterruptedJobs: true, maxRunAttempt: 3 }) }));
    expect(atLimit).toMatchObject({ next: 'done' });
    expect(atLimit).not.toHaveProperty('rerun');
    expect(logs.text()).toContain('not re-run, its run reached maxRunAttempt');

    s3Mock.resetHistory();
    jobIs({ status: 'completed', conclusion: 'failure', runner_name: RUNNER, runner_id: 23, run_attempt: 1 });
    nock(API_URL).delete(RUNNER_PATH).reply(204);
    const off = await cleanUp(afterRunRunner(interruptedMidJob), EXECUTION, deps());
    expect(off).toMatchObject({ next: 'done' });
    expect(s3Mock).not.toHaveReceivedCommandWith(GetObjectCommand, { Key: `assignments/${RUNNER}.json` });
  });
});

describe('cleanUp metrics', () => {
  it('counts the attempt, the job served and the runner start-up time under its runner class', async () => {
    jobIs({ status: 'completed', conclusion: 'success', runner_name: RUNNER, runner_id: 23 });
    const task = { ...aStoppedTask(), CreatedAt: 1796400000000, StartedAt: 1796400042000 };

    const state = await cleanUp(afterRunRunner(task), EXECUTION, deps());

    expect(metricsWritten()).toEqual([
      expect.objectContaining({ RunnerClass: 'fargate', LaunchAttempts: 1, JobsServed: 1, SpotInterruptions: 0, Relaunches: 0, RunnerStartupTime: 42_000 }),
    ]);
    const [line] = metricsWritten();
    // AND the audit's timing of the job: queued and started on GitHub, the runner's containers started on ECS
    expect(state.attempts[0]?.timing).toEqual({ jobQueuedAt: '2026-12-04T16:00:00Z', runnerStartedAt: '2026-12-04T16:00:42.000Z', jobStartedAt: '2026-12-04T16:00:00Z' });
    expect(line?._aws).toMatchObject({ CloudWatchMetrics: [{ Namespace: 'GitHubRunners', Dimensions: [['RunnerClass']] }] });
  });

  it('counts a Spot interruption and the relaunch, and a failure under its cause', async () => {
    jobIs({ status: 'queued' });
    nock(API_URL).delete(RUNNER_PATH).reply(204);
    await cleanUp(afterRunRunner(aStoppedTask({ StopCode: 'SpotInterruption', runnerExitCode: 143 })), EXECUTION, deps());
    expect(metricsWritten()).toEqual([expect.objectContaining({ SpotInterruptions: 1, Relaunches: 1, JobsServed: 0 })]);

    metricLines = [];
    jobIs({ status: 'queued' });
    registrationExists(true);
    nock(API_URL).delete(RUNNER_PATH).reply(204);
    const exhausted = afterRunRunner(aStoppedTask(), { attempt: 3, attempts: [anAttempt(1, 'idle'), anAttempt(2, 'idle')], runner: aRunnerLaunch({ name: 'ecs-1234567-3' }) });
    await cleanUp(exhausted, EXECUTION, deps({ config: aStepsConfig({ maxAttempts: 3 }) }));
    expect(metricsWritten()).toContainEqual(expect.objectContaining({ RunnerClass: 'fargate', Cause: 'AttemptsExhausted', Failures: 1 }));
  });
});
