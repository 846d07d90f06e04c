// Clean up: runs on every path out of a launch attempt. Stops a task that may still run, deletes the JIT file
// and the runner registration, records the attempt, and tells `Check job` what to do next. Idempotent: the
// state machine retries it after RunnerBusy or a GitHub fault, so every step tolerates having been done already.
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ListTasksCommand, StopTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { ERROR, MAX_LAUNCHES_PER_JOB, type AttemptSummary, type CaughtError, type LifecycleState, type NextStep, type Outcome, type RerunTarget } from '../../statemachine/contracts';
import type { GitHubClient, GitHubJob, RunnerTarget } from '../github/client';
import { statusOf } from '../github/map-error';
import { toLifecycleState } from '../lifecycle/lifecycle-state';
import { assignmentObjectKey, bucketNameFromArn, jitObjectKey, runnerName } from '../lifecycle/runner-name';
import { releaseSlot } from '../lifecycle/runner-slots';
import { readAssignment, recordInterruption, rerunTargetOf } from '../lifecycle/interrupted-jobs';
import { installationOwnerOf, runnerTargetFor, type ScopedTarget } from '../lifecycle/scope';
import { InvalidLaunchRequestError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import type { StepsConfig } from '../github-steps/config';
import { claimHolder } from '../mint-token/claim-runner-name';
import type { ExecutionIdentity } from '../mint-token/mint-token';
import type { Metrics } from '../shared/metrics';
import { emitAttemptMetrics } from './attempt-metrics';
import { classifyAttempt, oneLine, type AttemptClassification } from './classify-attempt';

export const STOP_REASON = 'Stopped by the runner lifecycle clean-up';

/** Mint token errors raised before any registration or JIT file existed. */
const BEFORE_REGISTRATION: readonly string[] = [ERROR.jobNotQueued, ERROR.noMatchingRunnerClass, ERROR.invalidLaunchRequest, ERROR.runnerNameTaken];

export interface CleanUpDeps {
  github: GitHubClient;
  s3: Pick<S3Client, 'send'>;
  ecs: Pick<ECSClient, 'send'>;
  config: Pick<StepsConfig, 'gitHubScope' | 'runnerNamePrefix' | 'jitBucketArn' | 'clusterArn' | 'maxAttempts' | 'onDemandAfterInterruptions' | 'rerunInterruptedJobs' | 'maxRunAttempt'>;
  logger: Logger;
  metrics: Metrics;
}

type Registration = 'deleted' | 'already-gone' | 'never-created' | 'untouched';

export async function cleanUp(input: unknown, execution: ExecutionIdentity, deps: CleanUpDeps): Promise<LifecycleState> {
  const { config, logger } = deps;
  const state = toLifecycleState(input);
  const { request, runner } = state;
  // Without `runner`, Mint token failed; on a relaunch its input still carried the previous attempt number.
  const attempt = !runner && state.next === 'relaunch' ? state.attempt + 1 : state.attempt;
  const name = runner?.name ?? runnerName(config.runnerNamePrefix, request, attempt, execution.executionName);
  const errorName = state.error?.Error;
  const classification = classifyAttempt(state);
  const failedBeforeRegistration = !runner && errorName !== undefined && BEFORE_REGISTRATION.includes(errorName);

  if (runner && (!classification.task || classification.task.LastStatus !== 'STOPPED')) {
    await stopRunnerTasks(deps, name, classification.task?.TaskArn ?? undefined);
  }
  // A duplicate's runner name, registration and JIT file belong to the execution that claimed the name first.
  // When Mint token failed before returning a runner, only the claim tells whether this execution got as far as
  // registering one: a duplicate whose Mint token failed must not delete the first execution's runner.
  const bucket = bucketNameFromArn(config.jitBucketArn);
  // The task is stopped (or never ran): the class's slot is free for the next launch.
  if (runner?.slot) await releaseSlot(deps.s3, bucket, runner.slot, name);
  const holder = runner || failedBeforeRegistration || errorName === ERROR.runnerNameTaken ? undefined : await claimHolder(deps.s3, bucket, name);
  if (holder !== undefined && holder !== execution.executionArn) {
    // Another execution owns this job's runner: this one is a duplicate whose Mint token failed. Touch nothing.
    logger.info('Duplicate: the runner name belongs to another execution', { runner: name, holder });
    return { request, attempt, interruptions: state.interruptions, onDemand: state.onDemand, attempts: state.attempts, next: 'done' };
  }
  const ownsRunnerName = errorName !== ERROR.runnerNameTaken && (runner !== undefined || holder === execution.executionArn);
  // The JIT file goes before the registration so that a retry after RunnerBusy repeats nothing with a side effect.
  // The name's claim (claims/<name>) is never deleted: it must outlive the lifecycle to stop late duplicates of the
  // event; the bucket's lifecycle rule expires it.
  if (ownsRunnerName) {
    await deps.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: jitObjectKey(name) }));
  }

  let job: GitHubJob | undefined;
  let registration: Registration = 'untouched';
  const scoped = failedBeforeRegistration ? undefined : scopedTargetOrUndefined(request, config.gitHubScope);
  if (scoped) {
    const installationId = request.installationId ?? (await deps.github.getInstallationId(installationOwnerOf(scoped)));
    const target: RunnerTarget = { ...scoped, installationId };
    if (request.jobId != null) job = await getJobIfExists(deps.github, { owner: request.owner, repo: request.repo, installationId }, request.jobId);
    // GitHub removes an ephemeral runner's registration itself once the runner reports its job complete: no DELETE
    // on the happy path. A runner stopped mid-job never reported; GitHub failed the job but keeps the registration.
    const servedItsJob = job !== undefined && job.runner_name === name && job.status === 'completed' && classification.kind === 'runner-exited';
    if (!servedItsJob && ownsRunnerName) registration = await deleteRegistration(deps.github, target, name, runner?.id, classification.kind === 'runner-exited');
  }

  const outcome = resolveOutcome(classification, job, name, registration);
  const interruptions = state.interruptions + (outcome === 'spot-interrupted' ? 1 : 0);
  const onDemand = state.onDemand || outcome === 'capacity-unavailable' || interruptions >= config.onDemandAfterInterruptions;
  // A runner another job took served that job: it is no failed attempt of this one.
  const failedAttempts = [...state.attempts.map((a) => a.outcome), outcome].filter((o) => o !== 'served-other-job' && o !== 'served-job').length;
  let decision = decideNext({ outcome, detail: classification.detail, errorName, job, jobId: request.jobId ?? undefined, attempt, failedAttempts, maxAttempts: config.maxAttempts });
  // Interrupted mid-job: GitHub fails the job. Re-run it (opt-in), whichever job the runner had taken.
  const rerun = outcome === 'spot-interrupted' && config.rerunInterruptedJobs ? await interruptedJob(deps, bucket, name, job, request) : undefined;
  if (rerun) {
    decision = rerun.runAttempt !== null && rerun.runAttempt >= config.maxRunAttempt ? decision : { next: 'rerun' };
    logger.info(decision.next === 'rerun' ? 'Job interrupted mid-way: re-running it' : 'Job interrupted mid-way: not re-run, its run reached maxRunAttempt', { runner: name, jobId: rerun.jobId, runAttempt: rerun.runAttempt });
  }
  // A runner another job took: the job-started handler may already have launched the next runner for this job.
  if (decision.next === 'relaunch' && request.jobId != null) {
    const next = runnerName(config.runnerNamePrefix, request, attempt + 1, execution.executionName);
    const nextHolder = await claimHolder(deps.s3, bucket, next);
    if (nextHolder !== undefined && nextHolder !== execution.executionArn) {
      logger.info('The next runner for this job was already launched by another execution (handed off)', { runner: name, next, holder: nextHolder });
      decision = { next: 'done' };
    }
  }

  const summary: AttemptSummary = {
    attempt,
    runner: name,
    runnerClass: runner?.runnerClass ?? null,
    capacity: runner ? (state.capacityFallback && classification.task ? 'on-demand' : runner.capacity) : null,
    capacityProvider: classification.task?.CapacityProviderName ?? null,
    taskArn: classification.task?.TaskArn ?? null,
    outcome,
    detail: classification.detail,
    registrationDeleted: registration === 'deleted',
  };
  // The audit's "queued → runner started → job started" for the runner that served its job.
  if (outcome === 'served-job' && job) summary.timing = { jobQueuedAt: job.created_at ?? null, runnerStartedAt: isoOf(classification.task?.StartedAt), jobStartedAt: job.started_at ?? null };
  logger.info('Attempt cleaned up', { runner: name, jobId: request.jobId ?? null, runnerClass: summary.runnerClass, capacity: summary.capacity, attempt, outcome, next: decision.next, registration, jobStatus: job?.status ?? null, detail: classification.detail });

  emitAttemptMetrics(deps.metrics, { runnerClass: summary.runnerClass, outcome, next: decision.next, failure: decision.error?.Error, task: classification.task });
  const result: LifecycleState = { request, attempt, interruptions, onDemand, attempts: [...state.attempts, summary], next: decision.next };
  if (decision.error) result.error = decision.error;
  if (decision.next === 'rerun' && rerun) result.rerun = rerun;
  // Read above when it mattered; the record of which job the runner took has served its purpose.
  if (ownsRunnerName) await deps.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: assignmentObjectKey(name) }));
  return result;
}

/** An ECS timestamp (epoch milliseconds as Step Functions renders it, or an ISO string) as ISO, or null. */
function isoOf(value: number | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const date = new Date(typeof value === 'number' && value < 1e11 ? value * 1000 : value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function scopedTargetOrUndefined(request: LifecycleState['request'], scope: StepsConfig['gitHubScope']): ScopedTarget | undefined {
  try {
    return runnerTargetFor(request, scope);
  } catch (error) {
    // Out of scope: Mint token never registered anything there, and we may not touch it.
    if (error instanceof InvalidLaunchRequestError) return undefined;
    throw error;
  }
}

async function getJobIfExists(github: GitHubClient, repository: { owner: string; repo: string; installationId: number }, jobId: number): Promise<GitHubJob | undefined> {
  try {
    return await github.getJob(repository, jobId);
  } catch (error) {
    if (statusOf(error) === 404) return undefined; // the run or the repository was deleted: nothing waits for a runner
    throw error;
  }
}

/**
 * The job an interrupted runner was running: the one the job-started handler recorded for it (it may be another job
 * than the one it was launched for), else the launch's own job if GitHub shows this runner on it. When neither
 * says, the interruption is recorded for the job-started handler, which re-runs the job when its event comes.
 */
async function interruptedJob(deps: CleanUpDeps, bucket: string, name: string, job: GitHubJob | undefined, request: LifecycleState['request']): Promise<RerunTarget | undefined> {
  const recorded = await readAssignment(deps.s3, bucket, name);
  if (recorded) return rerunTargetOf(recorded, request.installationId ?? null);
  if (job && job.runner_name === name && request.jobId != null) {
    return { owner: request.owner, repo: request.repo, jobId: request.jobId, runAttempt: job.run_attempt ?? request.runAttempt ?? null, installationId: request.installationId ?? null };
  }
  await recordInterruption(deps.s3, bucket, name);
  // The event may have come between the two: read again, so that one side always sees the other's record.
  const late = await readAssignment(deps.s3, bucket, name);
  if (late) return rerunTargetOf(late, request.installationId ?? null);
  deps.logger.info('Runner interrupted; the job it ran is not known yet: the job-started handler re-runs it when its event comes', { runner: name });
  return undefined;
}

async function deleteRegistration(github: GitHubClient, target: RunnerTarget, name: string, runnerId: number | undefined, exitedNormally: boolean): Promise<Registration> {
  // Mint token may have failed after generate-jitconfig: only then look the registration up by its name.
  const id = runnerId ?? (await github.findRunnerByName(target, name))?.id;
  if (id === undefined) return 'never-created';
  // A runner that exited normally most often ran a job (another one than ours, in a burst), and GitHub removed
  // it: asking costs one rate-limit point where a DELETE costs five.
  if (exitedNormally && !(await github.runnerExists(target, id))) return 'already-gone';
  return (await github.deleteRunner(target, id)) === 'deleted' ? 'deleted' : 'already-gone';
}

async function stopRunnerTasks(deps: CleanUpDeps, name: string, knownTaskArn: string | undefined): Promise<void> {
  const cluster = deps.config.clusterArn;
  const taskArns = new Set<string>(knownTaskArn ? [knownTaskArn] : []);
  let nextToken: string | undefined;
  do {
    const page = await deps.ecs.send(new ListTasksCommand({ cluster, startedBy: name, nextToken }));
    for (const arn of page.taskArns ?? []) taskArns.add(arn);
    nextToken = page.nextToken;
  } while (nextToken);
  for (const task of taskArns) {
    await deps.ecs.send(new StopTaskCommand({ cluster, task, reason: STOP_REASON }));
    deps.logger.info('Runner task stopped', { runner: name, taskArn: task });
  }
}

function resolveOutcome(classification: AttemptClassification, job: GitHubJob | undefined, name: string, registration: Registration): Outcome {
  if (classification.kind !== 'runner-exited') return classification.kind;
  if (job?.runner_name === name) return 'served-job';
  if (registration === 'deleted') return 'idle';
  // The registration was gone before we asked: the runner took a job. Without a job to compare, it is ours.
  return job ? 'served-other-job' : 'served-job';
}

interface DecisionInput {
  outcome: Outcome;
  detail: string;
  errorName: string | undefined;
  job: GitHubJob | undefined;
  jobId: number | undefined;
  /** The launch number (runner names carry it). */
  attempt: number;
  /** Launches of this execution that served no job (a runner another job took does not count). */
  failedAttempts: number;
  maxAttempts: number;
}

export function decideNext(input: DecisionInput): { next: NextStep; error?: CaughtError } {
  const { outcome, detail, errorName, job, jobId, attempt, failedAttempts, maxAttempts } = input;
  if (errorName === ERROR.jobNotQueued || errorName === ERROR.runnerNameTaken) return { next: 'done' };
  if (errorName === ERROR.invalidLaunchRequest || errorName === ERROR.noMatchingRunnerClass) {
    return { next: 'fail', error: { Error: errorName, Cause: detail } };
  }
  if (outcome === 'served-job') return { next: 'done' };

  const relaunchOrExhausted = (): { next: NextStep; error?: CaughtError } =>
    failedAttempts < maxAttempts && attempt < MAX_LAUNCHES_PER_JOB
      ? { next: 'relaunch' }
      : {
          next: 'fail',
          error: {
            Error: ERROR.attemptsExhausted,
            Cause: oneLine(`${jobId !== undefined ? `Job ${jobId} still queued` : 'No runner came up'} after ${attempt} launch(es), ${failedAttempts} of which served no job; last: ${detail}`),
          },
        };
  const failed = outcome === 'runner-failed' || outcome === 'launch-failed';

  if (jobId !== undefined) {
    if (job?.status === 'queued') return relaunchOrExhausted();
    return failed ? { next: 'fail', error: failure(errorName, detail) } : { next: 'done' };
  }
  if (outcome === 'spot-interrupted' || outcome === 'capacity-unavailable') return relaunchOrExhausted();
  return failed ? { next: 'fail', error: failure(errorName, detail) } : { next: 'done' };
}

/** The original named error when there was one; a stopped or timed-out task is summarized as RunnerFailed. */
function failure(errorName: string | undefined, detail: string): CaughtError {
  const generic = errorName === undefined || errorName.startsWith('States.');
  return { Error: generic ? ERROR.runnerFailed : errorName, Cause: detail };
}
