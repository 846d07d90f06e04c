// Job started: GitHub gave a job to one of our runners (the `workflow_job` `in_progress` event). Records which job
// the runner took (Clean up reads it to re-run a job interrupted mid-way), and when the runner was launched for
// another job that is still queued (a JIT runner takes any job its labels cover), launches the next runner for that
// job at once, instead of when the stolen runner's job is over. Bounded by MAX_LAUNCHES_PER_JOB. When the event comes
// after Clean up found the runner interrupted (a delayed delivery), it re-runs the job itself (interrupted-jobs.ts).
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { INTERRUPTION_OBJECT_PREFIX, MAX_LAUNCHES_PER_JOB, type JobAssignment, type LaunchRequest, type LifecycleState } from '../../statemachine/contracts';
import type { GitHubClient } from '../github/client';
import { statusOf } from '../github/map-error';
import { claimRerun, wasInterrupted } from '../lifecycle/interrupted-jobs';
import { assignmentObjectKey, bucketNameFromArn } from '../lifecycle/runner-name';
import type { Logger } from '../shared/logger';
import type { Metrics, MetricValue } from '../shared/metrics';
import { readRunnerClaim } from '../mint-token/claim-runner-name';

export interface JobStartedConfig {
  runnerNamePrefix: string;
  jitBucketArn: string;
  rerunInterruptedJobs: boolean;
  maxRunAttempt: number;
}

/** Starts a lifecycle execution; resolves 'exists' when an execution of that name exists already. */
export type StartExecution = (name: string, input: LifecycleState) => Promise<'started' | 'exists'>;

export interface JobStartedDeps {
  github: GitHubClient;
  s3: Pick<S3Client, 'send'>;
  startExecution: StartExecution;
  config: JobStartedConfig;
  logger: Logger;
  metrics: Metrics;
}

export type JobStartedResult =
  | { result: 'ignored'; reason: string }
  | { result: 'recorded'; rerun?: boolean }
  | { result: 'handed-off'; executionName: string; launchedForJobId: number }
  | { result: 'not-handed-off'; reason: string; launchedForJobId: number };

const eventSchema = z.object({
  detail: z.looseObject({
    action: z.string(),
    workflow_job: z.looseObject({
      id: z.number().int().positive(),
      run_id: z.number().int().positive().nullish(),
      run_attempt: z.number().int().positive().nullish(),
      runner_name: z.string().nullish(),
      started_at: z.string().nullish(),
      created_at: z.string().nullish(),
    }),
    repository: z.looseObject({ name: z.string().min(1), owner: z.looseObject({ login: z.string().min(1) }) }),
    installation: z.looseObject({ id: z.number().int().positive() }).nullish(),
  }),
});

export async function onJobStarted(event: unknown, deps: JobStartedDeps): Promise<JobStartedResult> {
  const { config, logger } = deps;
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    logger.warn('Not a workflow_job event: ignored', { field: issue?.path.join('.') ?? '(event)', problem: issue?.message ?? 'invalid' });
    return { result: 'ignored', reason: 'not a workflow_job event' };
  }
  const { detail } = parsed.data;
  const job = detail.workflow_job;
  const runner = job.runner_name ?? '';
  if (detail.action !== 'in_progress') return { result: 'ignored', reason: `action ${detail.action}` };
  const attemptOfRunner = ourRunnerAttempt(config.runnerNamePrefix, runner);
  if (attemptOfRunner === undefined) return { result: 'ignored', reason: 'not one of our runners' };

  const bucket = bucketNameFromArn(config.jitBucketArn);
  const assignment: JobAssignment = {
    runner,
    jobId: job.id,
    owner: detail.repository.owner.login,
    repo: detail.repository.name,
    runId: job.run_id ?? null,
    runAttempt: job.run_attempt ?? null,
    installationId: detail.installation?.id ?? null,
    startedAt: job.started_at ?? null,
  };
  await deps.s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: assignmentObjectKey(runner), Body: JSON.stringify(assignment), ContentType: 'application/json', ServerSideEncryption: 'AES256' }),
  );

  const rerun = config.rerunInterruptedJobs ? await rerunIfInterrupted(deps, bucket, assignment) : false;

  const claim = await readRunnerClaim(deps.s3, bucket, runner);
  emitQueueToStart(deps, claim?.runnerClass, job.created_at, job.started_at);
  const launchedFor = claim?.request;
  if (!launchedFor || launchedFor.jobId == null || launchedFor.jobId === job.id) return rerun ? { result: 'recorded', rerun } : { result: 'recorded' };

  // Stolen: the runner was launched for another job. Launch again for that one if it still waits.
  const launchedForJobId = launchedFor.jobId;
  logger.info('Runner took another job than the one it was launched for', { runner, jobId: job.id, launchedForJobId });
  // Each stolen runner served a job, so these launches are not failures; the ceiling stops a pathological loop.
  if (attemptOfRunner >= MAX_LAUNCHES_PER_JOB) return notHandedOff(deps, 'its job reached the launch ceiling', launchedForJobId);
  if (!(await stillQueued(deps, launchedFor, assignment.installationId))) return notHandedOff(deps, 'its job no longer waits', launchedForJobId);

  const executionName = handoffExecutionName(launchedForJobId, attemptOfRunner + 1);
  const state: LifecycleState = { request: launchedFor, attempt: attemptOfRunner, interruptions: 0, onDemand: false, attempts: [], next: 'relaunch' };
  const started = await deps.startExecution(executionName, state);
  logger.info(started === 'started' ? 'Launched the next runner for the job whose runner was taken' : 'The next runner for that job was already launched', {
    runner,
    launchedForJobId,
    executionName,
  });
  deps.metrics.emit({}, { StolenRunnerRelaunches: { value: started === 'started' ? 1 : 0, unit: 'Count' } });
  return { result: 'handed-off', executionName, launchedForJobId };
}

/**
 * Clean up found this runner interrupted before anyone knew which job it ran: re-run that job now (once per job,
 * whoever gets there first). A JobStillRunning is thrown for the invocation to be retried.
 */
async function rerunIfInterrupted(deps: JobStartedDeps, bucket: string, assignment: JobAssignment): Promise<boolean> {
  const { runner, jobId, owner, repo, runAttempt } = assignment;
  if (!(await wasInterrupted(deps.s3, bucket, runner))) return false;
  const fields = { runner, jobId, repository: `${owner}/${repo}`, runAttempt };
  if (runAttempt !== null && runAttempt >= deps.config.maxRunAttempt) {
    deps.logger.info('Job interrupted mid-way: not re-run, its run reached maxRunAttempt', fields);
  } else if ((await claimRerun(deps.s3, bucket, jobId, `job-started:${runner}`)) === 'ours') {
    const installationId = assignment.installationId ?? (await deps.github.getInstallationId({ owner, repo }));
    try {
      await deps.github.rerunJob({ owner, repo, installationId }, jobId);
      deps.logger.info('Job interrupted mid-way: re-run requested (its event came after the runner was cleaned up)', fields);
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }
  // Both records have served: the lifecycle that cleaned the runner up is over.
  for (const key of [assignmentObjectKey(runner), `${INTERRUPTION_OBJECT_PREFIX}${runner}`]) await deps.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  return true;
}

/** What a developer waits: from the job queued to a runner of ours starting it. */
function emitQueueToStart(deps: JobStartedDeps, runnerClass: string | undefined, createdAt: string | null | undefined, startedAt: string | null | undefined): void {
  const waitedMs = Date.parse(startedAt ?? '') - Date.parse(createdAt ?? '');
  const values: Record<string, MetricValue> = { JobsStarted: { value: 1, unit: 'Count' } };
  if (Number.isFinite(waitedMs) && waitedMs >= 0) values['QueueToStart'] = { value: waitedMs, unit: 'Milliseconds' };
  deps.metrics.emit({ RunnerClass: runnerClass ?? 'unknown' }, values);
}

/** The attempt number in one of our runner names (`<prefix>-<job id>-<attempt>`, `<prefix>-m<execution>-<attempt>`). */
export function ourRunnerAttempt(prefix: string, name: string): number | undefined {
  if (!name.startsWith(`${prefix}-`)) return undefined;
  const match = /-(\d{1,4})$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Deterministic, so a redelivered or replayed event cannot start the same handoff twice (≤ 80 characters). */
export function handoffExecutionName(jobId: number, attempt: number): string {
  return `job-${jobId}-runner-${attempt}-handoff`;
}

async function stillQueued(deps: JobStartedDeps, request: LaunchRequest, eventInstallationId: number | null): Promise<boolean> {
  const installationId = request.installationId ?? eventInstallationId ?? (await deps.github.getInstallationId({ owner: request.owner, repo: request.repo }));
  try {
    const job = await deps.github.getJob({ owner: request.owner, repo: request.repo, installationId }, request.jobId as number);
    return job.status === 'queued';
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

function notHandedOff(deps: JobStartedDeps, reason: string, launchedForJobId: number): JobStartedResult {
  deps.logger.info(`Not launching again: ${reason}`, { launchedForJobId });
  return { result: 'not-handed-off', reason, launchedForJobId };
}
