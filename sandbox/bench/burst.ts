// A burst of jobs queued at once through the sandbox, measured. GitHub's secondary rate limit (900 points a
// minute, writes cost 5) is what bounds a large burst; to keep the run short the fake GitHub's rate-limit windows
// and every waiting time are shortened by `scale`, so rates are reported per scaled minute: the share of the limit
// used is the one real time would see.
import { STATE } from '../../statemachine/contracts';
import { LocalFleet } from '../local-fleet';
import { leftovers, percentile } from '../report/collect';
import { round } from './round';

export const SECONDARY_LIMIT_POINTS_PER_MINUTE = 900;
const HAPPY_PATH = [STATE.mintToken, STATE.runRunner, STATE.cleanUp, STATE.checkJob, STATE.done].join('>');

export interface BurstOptions {
  jobs: number;
  /** Rate-limit and time scale: larger runs faster, but rounds retry-after (whole seconds) more coarsely. @default 5 */
  scale?: number;
  seed?: number;
}

export interface BurstFigures {
  jobs: number;
  scale: number;
  jobsServed: number;
  executionsFailed: number;
  /** Failed executions by error name. */
  failuresByError: Record<string, number>;
  makespanSeconds: number;
  /** In real-time terms (scaled back). */
  runnersLaunchedPerMinute: number;
  gitHubCallsPerJob: Record<string, number>;
  secretsManagerReadsPerJob: number;
  secretsManagerReadsPerContainer: number;
  stateTransitionsPerJob: { happyPath: number | null; overall: number };
  /** Wall-clock time here from the queued webhook to RunTask (includes any rate-limit wait, which is scaled down). */
  webhookToRunTaskMs: { p50: number | null; p95: number | null };
  /** Rate-limit points GitHub served per minute while the burst registered runners, against the secondary limit. */
  gitHubWriteRate: { pointsPerMinute: number; limitPerMinute: number; fractionOfLimit: number };
  rateLimitedResponses: number;
  leftovers: { registrations: number; jitFiles: number; tasks: number };
}

export async function runBurst(options: BurstOptions): Promise<BurstFigures> {
  const scale = options.scale ?? 5;
  const fleet = await LocalFleet.start({
    seed: options.seed ?? 1,
    rateLimits: { secondaryPointsPerMinute: SECONDARY_LIMIT_POINTS_PER_MINUTE, windowScale: scale },
    // Step Functions' own retry schedule (a minute and doubling, full jitter at its mean), sped up like the rest.
    retryIntervalMs: { scale },
    gitHubWaitBudgetMs: 75_000 / scale,
    ecs: { idleTimeoutMs: 60_000 / scale, startDelayMs: 2_000 / scale },
  });
  const startedAtMs = Date.now();
  for (let i = 0; i < options.jobs; i += 1) {
    fleet.queueJob({ repo: `repo-${(i % 10) + 1}`, labels: ['self-hosted', 'fargate-small'], durationMs: 3_000 / scale });
  }
  await fleet.settled();
  const endedAtMs = Math.max(...fleet.github.jobs().map((j) => j.completedAtMs ?? startedAtMs));
  const makespanMs = endedAtMs - startedAtMs;
  const jobs = fleet.github.jobs();
  const stats = fleet.github.stats();

  // Points GitHub served (refused requests cost nothing) per scaled minute, while the burst was registering
  // runners: from the first to the last admitted generate-jitconfig, the stretch the limit bounds.
  const registrations = fleet.github.events().filter((e) => e.type === 'runner-registered').map((e) => e.atMs);
  const [firstWrite, lastWrite] = [Math.min(...registrations), Math.max(...registrations)];
  const pointsInBurst = fleet.github.admissions().filter((a) => a.atMs >= firstWrite && a.atMs <= lastWrite).reduce((sum, a) => sum + a.points, 0);
  const pointsPerMinute = pointsInBurst / (((lastWrite - firstWrite) * scale) / 60_000);
  const firstRunTask = new Map<string, number>();
  for (const task of fleet.ecs.tasks) if (!firstRunTask.has(task.runnerName)) firstRunTask.set(task.runnerName, task.requestedAtMs);
  const latencies = jobs.flatMap((job) => {
    const requested = firstRunTask.get(`ecs-${job.id}-1`);
    return requested === undefined ? [] : [requested - job.queuedAtMs];
  });
  const happy = fleet.executions.filter((e) => e.path.join('>') === HAPPY_PATH);
  const reads = Object.entries(fleet.secretsManager.reads).filter(([arn]) => arn.includes('PrivateKey')).reduce((sum, [, n]) => sum + n, 0);
  const figures: BurstFigures = {
    jobs: options.jobs,
    scale,
    jobsServed: jobs.filter((j) => j.conclusion === 'success').length,
    executionsFailed: fleet.executions.filter((e) => e.status === 'FAILED').length,
    failuresByError: fleet.executions
      .filter((e) => e.status === 'FAILED')
      .reduce<Record<string, number>>((counts, e) => ({ ...counts, [e.error ?? 'unknown']: (counts[e.error ?? 'unknown'] ?? 0) + 1 }), {}),
    makespanSeconds: round((makespanMs * scale) / 1000),
    runnersLaunchedPerMinute: round(fleet.ecs.tasks.length / ((makespanMs * scale) / 60_000)),
    gitHubCallsPerJob: Object.fromEntries(Object.entries(stats.calls).map(([route, calls]) => [route, round(calls / options.jobs, 3)])),
    secretsManagerReadsPerJob: round(reads / options.jobs, 4),
    // The sandbox runs one GitHub steps "container": every read beyond the first would be a cache miss.
    secretsManagerReadsPerContainer: reads,
    stateTransitionsPerJob: {
      happyPath: happy.length > 0 ? round(happy.reduce((sum, e) => sum + e.path.length, 0) / happy.length, 2) : null,
      overall: round(fleet.executions.reduce((sum, e) => sum + e.path.length, 0) / options.jobs, 2),
    },
    webhookToRunTaskMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
    gitHubWriteRate: {
      pointsPerMinute: round(pointsPerMinute),
      limitPerMinute: SECONDARY_LIMIT_POINTS_PER_MINUTE,
      fractionOfLimit: round(pointsPerMinute / SECONDARY_LIMIT_POINTS_PER_MINUTE, 3),
    },
    rateLimitedResponses: stats.rateLimited.secondary + stats.rateLimited.primary,
    leftovers: leftovers(fleet),
  };
  await fleet.stop();
  return figures;
}
