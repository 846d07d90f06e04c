// One sandbox run: jobs are queued on the fake GitHub over a short window, their signed webhooks start real
// lifecycle executions, simulated tasks take the jobs (or get interrupted), and the run ends when every job has
// finished and every execution has ended. The same seed gives the same faults.
import type { FaultOptions } from './fake-github';
import { createRandom } from './fake-github';
import type { TaskPlan, TaskPlanner } from './fake-aws/ecs';
import { LocalFleet } from './local-fleet';
import { collectReport } from './report/collect';
import type { SandboxReport } from './report/types';

/** The runner classes' labels a job asks for, with how often. */
export const JOB_MIX: { labels: string[]; weight: number }[] = [
  { labels: ['self-hosted', 'fargate-small'], weight: 6 },
  { labels: ['self-hosted', 'linux', 'fargate-large', 'arm64'], weight: 3 },
  { labels: ['self-hosted', 'docker'], weight: 1 },
];

export interface SandboxRunOptions {
  /** @default 20 */
  jobs?: number;
  /** @default 1 */
  seed?: number;
  /** Jobs are queued over this window. @default 2000 */
  arrivalWindowMs?: number;
  /** A job runs for a random time in this range. @default [300, 1200] */
  jobDurationMs?: [number, number];
  /** Share of Spot launches interrupted before the runner took a job. @default 0.15 */
  spotInterruptionRate?: number;
  /** Share of Spot launches refused for capacity (then run on demand). @default 0.05 */
  capacityErrorRate?: number;
  /** Share of RunTask calls throttled. @default 0.05 */
  ecsThrottleRate?: number;
  /** Share of launches whose task takes longer to start. @default 0.1 */
  slowStartRate?: number;
  /** Faults of the fake GitHub (5xx, rate limits). @default a 2% 5xx rate */
  gitHubFaults?: FaultOptions;
  /** The runner's idle timeout. @default 1500 */
  idleTimeoutMs?: number;
  /**
   * Every wait of the run (GitHub's rate-limit windows and retry-after, Step Functions' retry schedule, the
   * Lambda's rate-limit wait) is this many times shorter than in AWS, so a demo takes seconds. @default 60
   */
  timeScale?: number;
  /** Called every `progressIntervalMs` while the run goes on. */
  onProgress?: (progress: SandboxProgress) => void;
  /** @default 250 */
  progressIntervalMs?: number;
  printLogs?: boolean;
}

export interface SandboxProgress {
  elapsedMs: number;
  queued: number;
  running: number;
  done: number;
  total: number;
  runnersLive: number;
  interruptions: number;
  executionsEnded: number;
}

/** Decides each task's fate from the seed: interruptions and capacity errors only hit Spot capacity. */
export function seededPlanner(seed: number, options: Pick<SandboxRunOptions, 'spotInterruptionRate' | 'capacityErrorRate' | 'ecsThrottleRate' | 'slowStartRate'>): TaskPlanner {
  const random = createRandom(seed ^ 0x5eed);
  return ({ capacityProvider }): TaskPlan => {
    const spot = capacityProvider.toUpperCase().includes('SPOT');
    if (random.chance(options.ecsThrottleRate ?? 0.05)) return { kind: 'throttled' };
    if (spot && random.chance(options.capacityErrorRate ?? 0.05)) return { kind: 'no-capacity' };
    if (spot && random.chance(options.spotInterruptionRate ?? 0.15)) return { kind: 'interrupted-before-job', afterMs: random.integer(20, 200) };
    return { kind: 'normal' };
  };
}

export async function runSandbox(options: SandboxRunOptions = {}): Promise<SandboxReport> {
  const seed = options.seed ?? 1;
  const total = options.jobs ?? 20;
  const random = createRandom(seed);
  const timeScale = options.timeScale ?? 60;
  const fleet = await LocalFleet.start({
    seed,
    faults: options.gitHubFaults ?? { serverErrorRate: 0.02 },
    rateLimits: { windowScale: timeScale },
    retryIntervalMs: { scale: timeScale },
    gitHubWaitBudgetMs: 75_000 / timeScale,
    printLogs: options.printLogs ?? false,
    ecs: {
      idleTimeoutMs: options.idleTimeoutMs ?? 1_500,
      startDelayMs: 20,
      planner: seededPlanner(seed, options),
    },
  });
  const startedAtMs = Date.now();
  const progress = setInterval(() => options.onProgress?.(progressOf(fleet, total, startedAtMs)), options.progressIntervalMs ?? 250);
  try {
    const [minDuration, maxDuration] = options.jobDurationMs ?? [300, 1_200];
    const window = options.arrivalWindowMs ?? 2_000;
    const arrivals = Array.from({ length: total }, () => random.integer(0, window)).sort((a, b) => a - b);
    await Promise.all(
      arrivals.map(async (atMs, index) => {
        await sleep(atMs);
        fleet.queueJob({ repo: `repo-${(index % 5) + 1}`, labels: pick(JOB_MIX, random.next()), durationMs: random.integer(minDuration, maxDuration) });
      }),
    );
    await fleet.settled();
    options.onProgress?.(progressOf(fleet, total, startedAtMs));
    return collectReport(fleet, `Sandbox run: ${total} jobs, seed ${seed}`, startedAtMs);
  } finally {
    clearInterval(progress);
    await fleet.stop();
  }
}

function progressOf(fleet: LocalFleet, total: number, startedAtMs: number): SandboxProgress {
  const jobs = fleet.github.jobs();
  return {
    elapsedMs: Date.now() - startedAtMs,
    queued: jobs.filter((j) => j.status === 'queued').length,
    running: jobs.filter((j) => j.status === 'in_progress').length,
    done: jobs.filter((j) => j.status === 'completed').length,
    total,
    runnersLive: fleet.ecs.running().length,
    interruptions: fleet.ecs.tasks.filter((t) => t.stopCode === 'SpotInterruption').length,
    executionsEnded: fleet.executions.length,
  };
}

export function pick<T>(choices: { labels: T; weight: number }[], r: number): T {
  const totalWeight = choices.reduce((sum, c) => sum + c.weight, 0);
  let threshold = r * totalWeight;
  for (const choice of choices) {
    threshold -= choice.weight;
    if (threshold < 0) return choice.labels;
  }
  return (choices.at(-1) as { labels: T }).labels;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
