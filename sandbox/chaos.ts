// The fleet under every fault at once, on a fixed seed: GitHub 5xx and rate limits, ECS throttling and capacity
// errors, Spot interruptions before and during jobs (interrupted jobs re-run), runners stolen by jobs of other
// label sets, a relay outage healed by the scheduled redelivery, executions stopped by hand mid-job, and a capped
// runner class. At the end the sweeper runs, and the figures say what was served, what it cost, and what was left.
import type { TaskRecord, TaskPlan, TaskPlanner } from './fake-aws/ecs';
import { createRandom, type FaultOptions } from './fake-github';
import { LocalFleet, sandboxFleetConfig } from './local-fleet';
import { collectReport, leftovers, percentile } from './report/collect';
import type { SandboxReport } from './report/types';
import { JOB_MIX, pick } from './run';
import { STATE, type LifecycleState } from '../statemachine/contracts';
import type { RedeliverySummary } from '../lambdas/redelivery/redeliver';
import type { SweepSummary } from '../lambdas/sweeper/sweep';

export interface ChaosOptions {
  /** @default 60 */
  jobs?: number;
  /** @default 11 */
  seed?: number;
  /** Every wait of AWS and GitHub is this many times shorter. @default 60 */
  timeScale?: number;
  /** Jobs are queued over this window. @default 3000 */
  arrivalWindowMs?: number;
  /** The relay's EventBridge is down for this share of the arrival window (at its end, so that runners of earlier jobs cannot take every job queued meanwhile). @default 0.3 */
  outageShare?: number;
  /** Share of runners that took a job whose execution a person stops by hand (StopExecution). @default 0.05 */
  abortShare?: number;
  /** maxRunners of the `small` class, so that jobs wait for a slot. @default 8 */
  smallClassCap?: number;
  gitHubFaults?: FaultOptions;
}

export interface ChaosFigures {
  jobs: number;
  /** Workflow runs whose last attempt succeeded (a job re-run after an interruption counts once). */
  jobsServed: number;
  /** Runs whose job was interrupted mid-job again at the last attempt maxRunAttempt allows: not re-run, by policy. */
  rerunLimitReached: number;
  /** The last attempts that did not succeed (the re-run limit aside): should be none. */
  unserved: { jobId: number; runAttempt: number; status: string; conclusion: string | null; labels: string[]; deliveries: string[] }[];
  /** Jobs re-run after their runner was Spot-interrupted mid-job. */
  reruns: number;
  /** Launches after the first of a job: Spot and capacity relaunches, and launches for jobs whose runner was taken. */
  relaunches: number;
  /** Of those, launched at once by the job-started handler when another job took the runner. */
  stolenRunnerRelaunches: number;
  spotInterruptions: { beforeJob: number; duringJob: number };
  executionsStoppedByHand: number;
  executionsFailed: number;
  redelivery: { failedDeliveries: number; redelivered: number; runs: number };
  /** The most runners launched for one job. */
  mostRunnersForOneJob: number;
  /** Runners launched for a job beyond maxAttempts plus those another job took (the bound): should be 0. */
  runnersBeyondBound: number;
  /** The most runners of one job alive at once that were not busy with another job: should be 1. */
  mostIdleRunnersAtOnceForOneJob: number;
  /** The most tasks of the capped class alive at once, and its cap. */
  cappedClass: { maxRunners: number; mostAtOnce: number };
  leftoversBeforeSweep: Leftovers;
  sweep: SweepSummary;
  leftoversAfterSweep: Leftovers;
  /** From the job's queued webhook to its runner starting it (what a developer waits), in real minutes. */
  queueToStartMinutes: { p50: number; p95: number; worst: number };
  gitHubCalls: { total: number; perJobHappyPath: number; spentOnRecovery: number };
  secretsLeaked: number;
  deadLetters: number;
  makespanSeconds: number;
}

interface Leftovers {
  registrations: number;
  jitFiles: number;
  tasks: number;
  slots: number;
}

const HAPPY_PATH_CALLS_PER_JOB = 2; // generate-jitconfig, and the job check of Clean up
/** The fleet configuration's defaults for maxAttempts and maxRunAttempt, which the chaos run keeps. */
const MAX_ATTEMPTS = 5;
const MAX_RUN_ATTEMPT = 3;

export async function runChaos(options: ChaosOptions = {}): Promise<{ figures: ChaosFigures; report: SandboxReport }> {
  const total = options.jobs ?? 60;
  const seed = options.seed ?? 11;
  const scale = options.timeScale ?? 60;
  const window = options.arrivalWindowMs ?? 3_000;
  const cap = options.smallClassCap ?? 8;
  const random = createRandom(seed);
  const plans = new Map<string, TaskPlan['kind']>();
  const runnerClasses = sandboxFleetConfig().runnerClasses.map((cls) => (cls.name === 'small' ? { ...cls, maxRunners: cap } : cls));

  const fleet = await LocalFleet.start({
    seed,
    fleet: { runnerClasses, rerunInterruptedJobs: true },
    faults: options.gitHubFaults ?? { serverErrorRate: 0.05, secondaryRateLimitRate: 0.03 },
    rateLimits: { windowScale: scale },
    retryIntervalMs: { scale },
    gitHubWaitBudgetMs: 75_000 / scale,
    timeScale: scale,
    ecs: { idleTimeoutMs: 800, startDelayMs: 20, planner: recording(chaosPlanner(seed), plans) },
  });

  // Executions stopped by hand: once a runner has taken a job, its execution may be stopped (the job still ends,
  // its registration goes with it, but the JIT file, the slot and the assignment record stay for the sweeper).
  // Not one whose runner is about to be interrupted: a stopped lifecycle re-runs nothing, by design.
  const executionOfRunner = new Map<string, string>();
  const classOfRunner = new Map<string, string>();
  fleet.observeSteps = (input, output) => {
    const runner = (output as LifecycleState | undefined)?.runner;
    if (input.step !== 'mint-token' || !runner) return;
    executionOfRunner.set(runner.name, (input as { executionName?: string }).executionName ?? '');
    classOfRunner.set(runner.name, runner.runnerClass);
  };
  const considered = new Set<string>();
  let stoppedByHand = 0;
  const stopper = setInterval(() => {
    for (const task of fleet.ecs.running().filter((t) => t.jobId !== null && !considered.has(t.taskArn))) {
      considered.add(task.taskArn);
      if (plans.get(task.runnerName) === 'interrupted-during-job') continue;
      const execution = executionOfRunner.get(task.runnerName);
      if (execution && random.chance(options.abortShare ?? 0.05) && fleet.abort(execution)) stoppedByHand += 1;
    }
  }, 10);

  const startedAtMs = Date.now();
  const redeliveries: RedeliverySummary[] = [];
  try {
    const outageStart = window * (1 - (options.outageShare ?? 0.3));
    const outageEnd = window + 50;
    const outage = (async () => {
      await sleep(outageStart);
      fleet.bus.failing = true;
      await sleep(outageEnd - outageStart);
      fleet.bus.failing = false;
    })();
    const arrivals = Array.from({ length: total }, () => random.integer(0, window)).sort((a, b) => a - b);
    await Promise.all([
      outage,
      ...arrivals.map(async (atMs, index) => {
        await sleep(atMs);
        fleet.queueJob({ repo: `repo-${(index % 5) + 1}`, labels: pick(JOB_MIX, random.next()), durationMs: random.integer(100, 400) });
      }),
    ]);

    // The scheduled redelivery (every 5 minutes in AWS; every second here), until no job waits and a run finds
    // nothing more to redeliver (in_progress deliveries matter too: they tell which job a runner ran).
    const everyMs = 1_000;
    for (let run = 0; run < 100; run += 1) {
      await fleet.settled();
      const waiting = fleet.github.jobs().some((job) => job.status === 'queued');
      // Two quiet runs in a row: a delivery that failed just before the first was too young for it, not for the second.
      // (a run cut short by a GitHub fault or rate limit is not quiet: it may have left deliveries behind)
      const quiet = redeliveries.length >= 2 && redeliveries.slice(-2).every((r) => r.redelivered === 0 && r.errors === 0 && !r.truncated);
      if (!waiting && quiet) break;
      await sleep(everyMs);
      redeliveries.push(await fleet.redeliver());
    }
    await fleet.settled();
    // Tasks of stopped executions run on until their job ends or their idle timeout.
    for (let waited = 0; fleet.ecs.running().length > 0 && waited < 10_000; waited += 50) await sleep(50);
  } finally {
    clearInterval(stopper);
  }
  const endedAtMs = Date.now();

  const leftoversBeforeSweep = leftoversOf(fleet);
  // The scheduled sweeper, with its age thresholds scaled like every other wait.
  await sleep(1_000);
  const sweep = await fleet.sweep({ ageScale: 3_600 });
  const leftoversAfterSweep = leftoversOf(fleet);

  const report = collectReport(fleet, `Chaos run: ${total} jobs, seed ${seed}`, startedAtMs, endedAtMs);
  const jobs = fleet.github.jobs();
  const runs = new Map<number, typeof jobs>();
  for (const job of jobs) runs.set(job.runId, [...(runs.get(job.runId) ?? []), job]);
  const lastAttempts = [...runs.values()].map((attempts) => attempts.reduce((last, job) => (job.runAttempt > last.runAttempt ? job : last)));
  const deliveries = fleet.github.deliveries();
  const calls = fleet.github.stats().calls;
  const totalCalls = Object.values(calls).reduce((sum, n) => sum + n, 0);
  const tokenCalls = Object.entries(calls)
    .filter(([route]) => route.includes('access_tokens'))
    .reduce((sum, [, n]) => sum + n, 0);
  const waits = jobs.filter((job) => job.startedAtMs !== null).map((job) => (job.startedAtMs ?? 0) - job.queuedAtMs);
  const mintsPerExecution = fleet.executions.map((e) => e.path.filter((s) => s === STATE.mintToken).length);
  const handoffs = fleet.executions.filter((e) => e.executionArn.endsWith('-handoff')).length;

  const figures: ChaosFigures = {
    jobs: total,
    jobsServed: lastAttempts.filter((job) => job.conclusion === 'success').length,
    rerunLimitReached: lastAttempts.filter((job) => job.conclusion !== 'success' && job.runAttempt >= MAX_RUN_ATTEMPT).length,
    unserved: lastAttempts
      .filter((job) => job.conclusion !== 'success' && job.runAttempt < MAX_RUN_ATTEMPT)
      .map((job) => ({
        jobId: job.id,
        runAttempt: job.runAttempt,
        status: job.status,
        conclusion: job.conclusion,
        labels: job.labels,
        // What GitHub tried to tell the fleet about it, to tell a lost event from a lost re-run.
        deliveries: deliveries.filter((d) => d.jobId === job.id).map((d) => `${d.action ?? ''} ${d.status}${d.redelivery ? ' (redelivery)' : ''}`),
      })),
    reruns: jobs.filter((job) => job.runAttempt > 1).length,
    relaunches: mintsPerExecution.reduce((sum, n) => sum + Math.max(0, n - 1), 0) + handoffs,
    stolenRunnerRelaunches: handoffs,
    spotInterruptions: {
      beforeJob: fleet.ecs.tasks.filter((t) => t.stopCode === 'SpotInterruption' && t.jobId === null).length,
      duringJob: fleet.ecs.tasks.filter((t) => t.stopCode === 'SpotInterruption' && t.jobId !== null).length,
    },
    executionsStoppedByHand: stoppedByHand,
    executionsFailed: fleet.executions.filter((e) => e.status === 'FAILED').length,
    redelivery: {
      failedDeliveries: Math.max(0, ...redeliveries.map((r) => r.failedGuids)),
      redelivered: redeliveries.reduce((sum, r) => sum + r.redelivered, 0),
      runs: redeliveries.length,
    },
    mostRunnersForOneJob: Math.max(0, ...[...runnersByJob(fleet.ecs.tasks).values()].map((tasks) => tasks.length)),
    runnersBeyondBound: [...runnersByJob(fleet.ecs.tasks).entries()]
      .map(([jobId, tasks]) => Math.max(0, tasks.length - tasks.filter((t) => t.jobId !== null && t.jobId !== jobId).length - MAX_ATTEMPTS))
      .reduce((sum, n) => sum + n, 0),
    mostIdleRunnersAtOnceForOneJob: Math.max(0, ...[...runnersByJob(fleet.ecs.tasks).entries()].map(([jobId, tasks]) => mostAtOnce(tasks.filter((t) => t.jobId === null || t.jobId === jobId)))),
    cappedClass: { maxRunners: cap, mostAtOnce: mostAtOnce(fleet.ecs.tasks.filter((t) => classOfRunner.get(t.runnerName) === 'small')) },
    leftoversBeforeSweep,
    sweep,
    leftoversAfterSweep,
    queueToStartMinutes: {
      p50: round(((percentile(waits, 50) ?? 0) * scale) / 60_000),
      p95: round(((percentile(waits, 95) ?? 0) * scale) / 60_000),
      worst: round((Math.max(0, ...waits) * scale) / 60_000),
    },
    gitHubCalls: {
      total: totalCalls,
      perJobHappyPath: HAPPY_PATH_CALLS_PER_JOB,
      spentOnRecovery: Math.max(0, totalCalls - tokenCalls - HAPPY_PATH_CALLS_PER_JOB * jobs.length),
    },
    secretsLeaked: fleet.leakedSecrets().length,
    deadLetters: fleet.deadLetters.length,
    makespanSeconds: round((endedAtMs - startedAtMs) / 1000),
  };
  await fleet.stop();
  return { figures, report };
}

/** Spot interruptions before and during jobs, capacity errors and throttling, from the seed. */
function chaosPlanner(seed: number): TaskPlanner {
  const random = createRandom(seed ^ 0xc4a05);
  return ({ capacityProvider }): TaskPlan => {
    const spot = capacityProvider.toUpperCase().includes('SPOT');
    if (random.chance(0.1)) return { kind: 'throttled' };
    if (spot && random.chance(0.1)) return { kind: 'no-capacity' };
    if (spot && random.chance(0.15)) return { kind: 'interrupted-before-job', afterMs: random.integer(20, 200) };
    if (spot && random.chance(0.1)) return { kind: 'interrupted-during-job', afterFraction: 0.3 + random.next() * 0.5 };
    return { kind: 'normal' };
  };
}

/** The planner, remembering each runner's fate. */
function recording(planner: TaskPlanner, plans: Map<string, TaskPlan['kind']>): TaskPlanner {
  return (launch) => {
    const plan = planner(launch);
    plans.set(launch.runnerName, plan.kind);
    return plan;
  };
}

/** Tasks by the job they were launched for (`<prefix>-<job id>-<attempt>`). */
function runnersByJob(tasks: readonly TaskRecord[]): Map<number, TaskRecord[]> {
  const byJob = new Map<number, TaskRecord[]>();
  for (const task of tasks) {
    const jobId = Number(/^[^-]+-(\d+)-\d+$/.exec(task.runnerName)?.[1]);
    if (Number.isFinite(jobId)) byJob.set(jobId, [...(byJob.get(jobId) ?? []), task]);
  }
  return byJob;
}

/** The most of these tasks that were running at the same moment. */
export function mostAtOnce(tasks: readonly TaskRecord[]): number {
  const edges = tasks.flatMap((task) => [
    { at: task.requestedAtMs, delta: 1 },
    { at: task.stoppedAtMs ?? Number.POSITIVE_INFINITY, delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let live = 0;
  let most = 0;
  for (const edge of edges) {
    live += edge.delta;
    most = Math.max(most, live);
  }
  return most;
}

function leftoversOf(fleet: LocalFleet): Leftovers {
  return { ...leftovers(fleet), slots: fleet.s3.keys().filter((key) => key.split('/')[1] === 'slots').length };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
