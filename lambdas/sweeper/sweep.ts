// The sweeper: removes what a crashed or stopped execution left behind (runner tasks past the longest job, offline
// registrations, JIT files, runner slots), never a busy runner, one with a live task, or a name that is not ours.
// Work is bounded per run; what is left is reported and done by the next run. JIT files are listed, never read.
import { DescribeTasksCommand, ListTasksCommand, StopTaskCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client, type _Object } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { JIT_OBJECT_PREFIX, SLOT_OBJECT_PREFIX, type GitHubScope } from '../../statemachine/contracts';
import type { GitHubClient, GitHubRunner, RunnerTarget } from '../github/client';
import { bucketNameFromArn, claimObjectKey, isOurRunnerName } from '../lifecycle/runner-name';
import { installationOwnerOf, type ScopedTarget } from '../lifecycle/scope';
import { GitHubRateLimitedError, GitHubUnavailableError, RunnerBusyError } from '../shared/errors';
import type { LogFields, Logger } from '../shared/logger';
import type { Metrics } from '../shared/metrics';
import { awsErrorName, isConditionalFailure, isMissingObject } from '../shared/s3-errors';
import type { SweeperConfig } from './config';

export const SWEEPER_STOP_REASON = 'Stopped by the runner sweeper: the task outlived the longest allowed job';
/** ECS's limit of tasks per DescribeTasks call. */
const DESCRIBE_BATCH = 100;
/** Pages of 1,000 keys listed per prefix and run. */
const MAX_LIST_PAGES = 10;
const RUNNERS_PER_PAGE = 100;

/**
 * What one run found and did. `found` counts the leftovers identified; once `maxActionsPerRun` is spent the rest
 * is not examined (or, for tasks and JIT files, not acted on) and `truncated` is true: the next run goes on.
 */
export interface SweepSummary {
  registrations: { found: number; deleted: number; busy: number };
  jitFiles: { found: number; deleted: number };
  slots: { found: number; released: number };
  tasks: { found: number; stopped: number };
  errors: number;
  truncated: boolean;
}

export interface SweepDeps {
  github: GitHubClient;
  s3: Pick<S3Client, 'send'>;
  ecs: Pick<ECSClient, 'send'>;
  config: Pick<
    SweeperConfig,
    'gitHubScope' | 'runnerNamePrefix' | 'jitBucketArn' | 'clusterArn' | 'graceSeconds' | 'jitFileMaxAgeSeconds' | 'maxTaskAgeSeconds' | 'maxActionsPerRun' | 'maxRunnerPages'
  >;
  logger: Logger;
  metrics: Metrics;
  now: () => number;
}

interface Run {
  deps: SweepDeps;
  bucket: string;
  nowMs: number;
  summary: SweepSummary;
  actionsLeft: number;
  /** The startedBy of every task ECS still wants running, ours or not: nothing of these runners is touched. */
  liveRunners: Set<string>;
}

const slotHolderSchema = z.object({ runner: z.string().min(1), executionArn: z.string() });

export async function sweep(deps: SweepDeps): Promise<SweepSummary> {
  const run: Run = {
    deps,
    bucket: bucketNameFromArn(deps.config.jitBucketArn),
    nowMs: deps.now(),
    summary: { registrations: { found: 0, deleted: 0, busy: 0 }, jitFiles: { found: 0, deleted: 0 }, slots: { found: 0, released: 0 }, tasks: { found: 0, stopped: 0 }, errors: 0, truncated: false },
    actionsLeft: deps.config.maxActionsPerRun,
    liveRunners: new Set(),
  };
  // Every other step decides on "has no live task": without the task list, nothing else is safe to remove.
  const tasksListed = await step(run, 'tasks', () => sweepTasks(run));
  if (tasksListed) {
    await step(run, 'registrations', () => sweepRegistrations(run));
    await step(run, 'JIT files', () => sweepJitFiles(run));
    await step(run, 'slots', () => sweepSlots(run));
  }
  report(run);
  return run.summary;
}

async function sweepTasks(run: Run): Promise<void> {
  const { ecs, config, logger } = run.deps;
  const cluster = config.clusterArn;
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListTasksCommand({ cluster, desiredStatus: 'RUNNING', nextToken }));
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += DESCRIBE_BATCH) {
    const page = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + DESCRIBE_BATCH) }));
    // MISSING: it stopped since the listing. Any other failure hides a task that may be live.
    const unknown = (page.failures ?? []).filter((failure) => failure.reason !== 'MISSING');
    if (unknown.length > 0) throw new Error(`DescribeTasks could not describe ${unknown.length} task(s): ${unknown.map((f) => `${f.arn ?? '?'} ${f.reason ?? ''}`).join('; ')}`);
    tasks.push(...(page.tasks ?? []));
  }
  for (const task of tasks) if (task.startedBy) run.liveRunners.add(task.startedBy);

  const cutoffMs = run.nowMs - config.maxTaskAgeSeconds * 1000;
  const overAge = tasks.filter((task) => task.taskArn && task.startedBy && isOurRunnerName(config.runnerNamePrefix, task.startedBy) && (task.createdAt?.getTime() ?? Infinity) < cutoffMs);
  run.summary.tasks.found = overAge.length;
  for (const task of overAge) {
    if (!takeAction(run)) return;
    const fields = { runner: task.startedBy, taskArn: task.taskArn, ageSeconds: ageSeconds(run, task.createdAt) };
    try {
      await ecs.send(new StopTaskCommand({ cluster, task: task.taskArn, reason: SWEEPER_STOP_REASON }));
      run.summary.tasks.stopped += 1;
      logger.info('Leftover runner task stopped', fields);
    } catch (error) {
      if (isTaskNotFound(error)) logger.info('Leftover runner task already gone', fields);
      else failed(run, 'Could not stop a leftover runner task', fields, error);
    }
  }
}

async function sweepRegistrations(run: Run): Promise<void> {
  const { github, config } = run.deps;
  let pagesLeft = config.maxRunnerPages;
  for (const scoped of scopedTargets(config.gitHubScope)) {
    if (pagesLeft <= 0) {
      run.summary.truncated = true;
      return;
    }
    const where = scoped.type === 'organization' ? scoped.org : `${scoped.owner}/${scoped.repo}`;
    try {
      const target: RunnerTarget = { ...scoped, installationId: await github.getInstallationId(installationOwnerOf(scoped)) };
      const runners = await github.listRunners(target, pagesLeft);
      if (runners.length >= pagesLeft * RUNNERS_PER_PAGE) run.summary.truncated = true;
      pagesLeft -= Math.max(1, Math.ceil(runners.length / RUNNERS_PER_PAGE));
      for (const runner of runners) {
        if (!isOurRunnerName(config.runnerNamePrefix, runner.name) || runner.status !== 'offline' || runner.busy || run.liveRunners.has(runner.name)) continue;
        if (!(await sweepRegistration(run, target, runner, where))) return;
      }
    } catch (error) {
      if (isGitHubDown(error)) {
        // Leave GitHub's budget to the lifecycle: the next run tries again.
        failed(run, 'GitHub is rate limiting or unavailable: registrations are left for the next run', { scope: where }, error);
        return;
      }
      failed(run, 'Could not list the registrations of a scope', { scope: where }, error);
    }
  }
}

/** One offline registration of ours without a task: deleted once its claim is stale. False when the budget is spent. */
async function sweepRegistration(run: Run, target: RunnerTarget, runner: GitHubRunner, where: string): Promise<boolean> {
  const { github, logger } = run.deps;
  const fields = { runner: runner.name, runnerId: runner.id, scope: where };
  try {
    if (!(await claimIsStale(run, runner.name))) return true;
    run.summary.registrations.found += 1;
    if (!takeAction(run)) return false;
    const result = await github.deleteRunner(target, runner.id);
    run.summary.registrations.deleted += 1;
    logger.info(result === 'deleted' ? 'Leftover registration deleted' : 'Leftover registration already gone', fields);
  } catch (error) {
    if (isGitHubDown(error)) throw error;
    if (error instanceof RunnerBusyError) {
      // It took a job since the listing: not a leftover after all.
      run.summary.registrations.busy += 1;
      logger.info('Registration busy: left alone', fields);
    } else {
      failed(run, 'Could not sweep a registration', fields, error);
    }
  }
  return true;
}

/** The name's claim is older than the grace period, or gone (claims expire after a day). */
async function claimIsStale(run: Run, name: string): Promise<boolean> {
  try {
    const head = await run.deps.s3.send(new HeadObjectCommand({ Bucket: run.bucket, Key: claimObjectKey(name) }));
    return isOlderThan(run, head.LastModified, run.deps.config.graceSeconds);
  } catch (error) {
    if (isMissingObject(error)) return true;
    throw error;
  }
}

async function sweepJitFiles(run: Run): Promise<void> {
  const { s3, config, logger } = run.deps;
  const leftovers = (await listObjects(run, JIT_OBJECT_PREFIX)).flatMap((object) => {
    const name = /^jit\/(.+)\.env$/.exec(object.Key ?? '')?.[1];
    return name && !run.liveRunners.has(name) && isOlderThan(run, object.LastModified, config.jitFileMaxAgeSeconds) ? [{ key: object.Key ?? '', name, lastModified: object.LastModified }] : [];
  });
  run.summary.jitFiles.found = leftovers.length;
  for (const { key, name, lastModified } of leftovers) {
    if (!takeAction(run)) return;
    const fields = { runner: name, key, ageSeconds: ageSeconds(run, lastModified) };
    try {
      await s3.send(new DeleteObjectCommand({ Bucket: run.bucket, Key: key }));
      run.summary.jitFiles.deleted += 1;
      logger.info('Leftover JIT file deleted', fields);
    } catch (error) {
      failed(run, 'Could not delete a leftover JIT file', fields, error);
    }
  }
}

async function sweepSlots(run: Run): Promise<void> {
  const { s3, config, logger } = run.deps;
  const old = (await listObjects(run, SLOT_OBJECT_PREFIX)).filter((object) => isOlderThan(run, object.LastModified, config.graceSeconds));
  for (const object of old) {
    const key = object.Key ?? '';
    try {
      const slot = await s3.send(new GetObjectCommand({ Bucket: run.bucket, Key: key }));
      const holder = slotHolderSchema.parse(JSON.parse((await slot.Body?.transformToString()) ?? ''));
      if (run.liveRunners.has(holder.runner)) continue;
      run.summary.slots.found += 1;
      if (!takeAction(run)) return;
      const fields = { slot: key, runner: holder.runner, executionArn: holder.executionArn };
      try {
        // Only the holder we judged: a launch that took the slot since then keeps it.
        await s3.send(new DeleteObjectCommand({ Bucket: run.bucket, Key: key, ...(slot.ETag ? { IfMatch: slot.ETag } : {}) }));
        run.summary.slots.released += 1;
        logger.info('Leftover runner slot released', fields);
      } catch (error) {
        if (!isMissingObject(error) && !isConditionalFailure(error)) throw error;
        logger.info('Runner slot released or taken again meanwhile: left alone', fields);
      }
    } catch (error) {
      if (isMissingObject(error)) continue; // released by Clean up since the listing
      failed(run, 'Could not sweep a runner slot', { slot: key }, error);
    }
  }
}

async function listObjects(run: Run, prefix: string): Promise<_Object[]> {
  const objects: _Object[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
    const answer = await run.deps.s3.send(new ListObjectsV2Command({ Bucket: run.bucket, Prefix: prefix, ContinuationToken: token }));
    objects.push(...(answer.Contents ?? []));
    token = answer.IsTruncated ? answer.NextContinuationToken : undefined;
    if (!token) return objects;
  }
  run.summary.truncated = true;
  return objects;
}

function scopedTargets(scope: GitHubScope): ScopedTarget[] {
  if (scope.type === 'organization') return [{ type: 'organization', org: scope.organization }];
  return scope.repositories.map((fullName) => {
    const [owner = '', repo = ''] = fullName.split('/');
    return { type: 'repository', owner, repo };
  });
}

/** Runs one part of the sweep; a failure of the part as a whole is logged and counted, and the run goes on. */
async function step(run: Run, part: string, body: () => Promise<void>): Promise<boolean> {
  try {
    await body();
    return true;
  } catch (error) {
    failed(run, `Could not sweep the ${part}`, {}, error);
    return false;
  }
}

function takeAction(run: Run): boolean {
  if (run.actionsLeft <= 0) {
    run.summary.truncated = true;
    return false;
  }
  run.actionsLeft -= 1;
  return true;
}

function failed(run: Run, message: string, fields: LogFields, error: unknown): void {
  run.summary.errors += 1;
  run.deps.logger.warn(message, { ...fields, error });
}

function report(run: Run): void {
  const { summary } = run;
  const count = (value: number) => ({ value, unit: 'Count' as const });
  run.deps.metrics.emit(
    {},
    {
      LeftoverRegistrations: count(summary.registrations.found),
      LeftoverJitFiles: count(summary.jitFiles.found),
      LeftoverSlots: count(summary.slots.found),
      LeftoverTasks: count(summary.tasks.found),
      SweeperErrors: count(summary.errors),
    },
  );
  run.deps.logger.info('Sweep finished', { ...summary });
}

function isOlderThan(run: Run, date: Date | undefined, seconds: number): boolean {
  return date !== undefined && run.nowMs - date.getTime() > seconds * 1000;
}

function ageSeconds(run: Run, date: Date | undefined): number | null {
  return date ? Math.round((run.nowMs - date.getTime()) / 1000) : null;
}

function isGitHubDown(error: unknown): boolean {
  return error instanceof GitHubRateLimitedError || error instanceof GitHubUnavailableError;
}

/** StopTask on a task ECS no longer knows. */
function isTaskNotFound(error: unknown): boolean {
  return (awsErrorName(error) === 'InvalidParameterException' || awsErrorName(error) === 'ClientException') && /not found/i.test(error instanceof Error ? error.message : '');
}
