import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import nock from 'nock';
import type { LifecycleState } from '../../../statemachine/contracts';
import type { GitHubClient } from '../../../lambdas/github/client';
import { handoffExecutionName, onJobStarted, ourRunnerAttempt, type JobStartedDeps } from '../../../lambdas/job-started/job-started';
import { createMetrics } from '../../../lambdas/shared/metrics';
import { aGitHubClient, captureLogs, expectTokenExchange, type LogCapture } from '../support/github-app';
import { API_URL, jobResponse } from '../support/github-fixtures';
import { aLaunchRequest, EXECUTION_ARN, JIT_BUCKET_ARN } from '../support/builders';
import { s3Error } from '../support/s3';
import { useNock } from '../support/nock';

const s3 = new S3Client({ region: 'eu-west-1' });
const s3Mock = mockClient(s3);
let logs: LogCapture;
let github: GitHubClient;
let started: Array<{ name: string; input: LifecycleState }>;
let metricLines: string[];

function deps(overrides: Partial<JobStartedDeps> = {}): JobStartedDeps {
  return {
    github,
    s3,
    startExecution: (name, input) => {
      const exists = started.some((execution) => execution.name === name);
      if (!exists) started.push({ name, input });
      return Promise.resolve(exists ? 'exists' : 'started');
    },
    config: { runnerNamePrefix: 'ecs', jitBucketArn: JIT_BUCKET_ARN, rerunInterruptedJobs: true, maxRunAttempt: 3 },
    logger: logs.logger,
    metrics: createMetrics((line) => metricLines.push(line)),
    ...overrides,
  };
}

/** The `in_progress` event as the bus delivers it: the webhook payload is the detail. */
function inProgressEvent(jobId: number, runnerName: string | null, action = 'in_progress') {
  return {
    'detail-type': 'workflow_job',
    source: 'github.com',
    detail: {
      action,
      workflow_job: { id: jobId, run_id: 99, run_attempt: 1, runner_name: runnerName, created_at: '2026-12-04T16:00:00Z', started_at: '2026-12-04T16:00:05Z', labels: ['fargate'] },
      repository: { name: 'hello-world', owner: { login: 'octo-org' } },
      installation: { id: 42 },
    },
  };
}

function claimOf(request = aLaunchRequest()) {
  return { Body: { transformToString: () => Promise.resolve(JSON.stringify({ executionArn: EXECUTION_ARN, request, runnerClass: 'small' })) } };
}

useNock({ ignore: (mock) => mock.includes('access_tokens') });
beforeEach(() => {
  s3Mock.reset();
  s3Mock.on(PutObjectCommand).resolves({});
  s3Mock.on(DeleteObjectCommand).resolves({});
  s3Mock.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404));
  logs = captureLogs();
  github = aGitHubClient({ logger: logs.logger });
  started = [];
  metricLines = [];
  expectTokenExchange();
});

describe('onJobStarted', () => {
  it('records which job the runner took, and does nothing more when it is the job it was launched for', async () => {
    s3Mock.on(GetObjectCommand, { Key: 'claims/ecs-1234567-1' }).resolves(claimOf() as never);

    const result = await onJobStarted(inProgressEvent(1234567, 'ecs-1234567-1'), deps());

    expect(result).toEqual({ result: 'recorded' });
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: 'fleet-jit-configs', Key: 'assignments/ecs-1234567-1.json', ServerSideEncryption: 'AES256' });
    const body = JSON.parse(s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input.Body as string) as Record<string, unknown>;
    expect(body).toEqual({ runner: 'ecs-1234567-1', jobId: 1234567, owner: 'octo-org', repo: 'hello-world', runId: 99, runAttempt: 1, installationId: 42, startedAt: '2026-12-04T16:00:05Z' });
    expect(started).toEqual([]);
  });

  it('launches the next runner at once for the job whose runner another job took, while that job is still queued', async () => {
    // GIVEN runner ecs-1234567-1 (launched for job 1234567) took job 888, and job 1234567 still waits
    s3Mock.on(GetObjectCommand, { Key: 'claims/ecs-1234567-1' }).resolves(claimOf() as never);
    nock(API_URL).get('/repos/octo-org/hello-world/actions/jobs/1234567').reply(200, jobResponse({ status: 'queued' }));

    // WHEN the in_progress event of job 888 arrives
    const result = await onJobStarted(inProgressEvent(888, 'ecs-1234567-1'), deps());

    // THEN a lifecycle for job 1234567 starts at attempt 2, under a name a duplicate event cannot start twice
    expect(result).toEqual({ result: 'handed-off', executionName: 'job-1234567-runner-2-handoff', launchedForJobId: 1234567 });
    expect(started).toEqual([{ name: 'job-1234567-runner-2-handoff', input: { request: aLaunchRequest(), attempt: 1, interruptions: 0, onDemand: false, attempts: [], next: 'relaunch' } }]);
    expect(metricLines.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(expect.objectContaining({ StolenRunnerRelaunches: 1 }));

    // AND the same event again starts nothing new
    nock(API_URL).get('/repos/octo-org/hello-world/actions/jobs/1234567').reply(200, jobResponse({ status: 'queued' }));
    await onJobStarted(inProgressEvent(888, 'ecs-1234567-1'), deps());
    expect(started).toHaveLength(1);
  });

  it('does not launch again when the job it was launched for no longer waits, or reached the launch ceiling', async () => {
    s3Mock.on(GetObjectCommand, { Key: 'claims/ecs-1234567-1' }).resolves(claimOf() as never);
    s3Mock.on(GetObjectCommand, { Key: 'claims/ecs-1234567-50' }).resolves(claimOf() as never);
    nock(API_URL).get('/repos/octo-org/hello-world/actions/jobs/1234567').reply(200, jobResponse({ status: 'in_progress' }));

    await expect(onJobStarted(inProgressEvent(888, 'ecs-1234567-1'), deps())).resolves.toMatchObject({ result: 'not-handed-off', reason: 'its job no longer waits' });
    await expect(onJobStarted(inProgressEvent(888, 'ecs-1234567-50'), deps())).resolves.toMatchObject({ result: 'not-handed-off', reason: 'its job reached the launch ceiling' });
    expect(started).toEqual([]);
  });

  it('re-runs the job itself when Clean up already found the runner interrupted (the event came late), once', async () => {
    // GIVEN Clean up recorded the interruption of ecs-1234567-1 before anyone knew which job it ran
    s3Mock.on(GetObjectCommand, { Key: 'interrupted/ecs-1234567-1' }).resolves({ Body: { transformToString: () => Promise.resolve('ecs-1234567-1') } } as never);
    s3Mock.on(GetObjectCommand, { Key: 'claims/ecs-1234567-1' }).resolves(claimOf() as never);
    const rerun = nock(API_URL).post('/repos/octo-org/hello-world/actions/jobs/1234567/rerun').reply(201, {});

    // WHEN the delayed in_progress event arrives
    const result = await onJobStarted(inProgressEvent(1234567, 'ecs-1234567-1'), deps());

    // THEN it claimed the re-run, asked GitHub for it, and removed both records
    expect(result).toEqual({ result: 'recorded', rerun: true });
    expect(rerun.isDone()).toBe(true);
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Key: 'reruns/1234567', IfNoneMatch: '*' });
    expect(s3Mock).toHaveReceivedCommandWith(DeleteObjectCommand, { Key: 'interrupted/ecs-1234567-1' });
    expect(s3Mock).toHaveReceivedCommandWith(DeleteObjectCommand, { Key: 'assignments/ecs-1234567-1.json' });
  });

  it('leaves the re-run to the lifecycle when the runner was not found interrupted', async () => {
    s3Mock.on(GetObjectCommand, { Key: 'claims/ecs-1234567-1' }).resolves(claimOf() as never);

    await expect(onJobStarted(inProgressEvent(1234567, 'ecs-1234567-1'), deps())).resolves.toEqual({ result: 'recorded' });
    expect(s3Mock).not.toHaveReceivedCommandWith(PutObjectCommand, { Key: 'reruns/1234567' });
  });

  it.each([
    ['another action', inProgressEvent(1, 'ecs-1-1', 'completed')],
    ['a runner that is not ours', inProgressEvent(1, 'GitHub Actions 12')],
    ['no runner name', inProgressEvent(1, null)],
    ['not a workflow_job event', { detail: { action: 'in_progress' } }],
    ['no event at all', null],
  ])('ignores %s without writing anything', async (_, event) => {
    await expect(onJobStarted(event, deps())).resolves.toMatchObject({ result: 'ignored' });
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });
});

describe('queue-to-start metric', () => {
  it('records how long the job waited, from queued to started, under the runner class of its runner', async () => {
    s3Mock.on(GetObjectCommand, { Key: 'claims/ecs-1234567-1' }).resolves(claimOf() as never);

    await onJobStarted(inProgressEvent(1234567, 'ecs-1234567-1'), deps());

    expect(metricLines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([expect.objectContaining({ RunnerClass: 'small', JobsStarted: 1, QueueToStart: 5_000 })]);
  });
});

describe('runner names', () => {
  it('reads the attempt from our runner names and builds handoff execution names within 80 characters', () => {
    expect(ourRunnerAttempt('ecs', 'ecs-1234567-2')).toBe(2);
    expect(ourRunnerAttempt('ecs', 'ecs-mmanual-run-1')).toBe(1);
    expect(ourRunnerAttempt('ecs', 'other-1-1')).toBeUndefined();
    expect(handoffExecutionName(Number.MAX_SAFE_INTEGER, 20).length).toBeLessThanOrEqual(80);
  });
});
