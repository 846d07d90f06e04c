// A hand-built sandbox report: 3 jobs and 5 runners. Job 101 loses its first Spot runner to an interruption and
// is re-run on a relaunch; job 102's Spot launch finds no capacity and falls back to on-demand; the runners of
// 102 and 103 swap jobs (GitHub gives the older queued job to whichever runner comes online first). One runner
// name carries `<&>` to prove the renderers escape it.
import type { JobRow, Phase, PhaseKind, RunnerRow, SandboxReport } from '../../../sandbox/report/types';

export const T0 = Date.parse('2026-12-04T10:00:00Z');
export const ODD_RUNNER = 'fleet-<&>-103-1';

/** Phases from `[kind, startOffsetMs, endOffsetMs]` triples relative to T0. */
export function phases(...spans: Array<[PhaseKind, number, number]>): Phase[] {
  return spans.map(([kind, startOffsetMs, endOffsetMs]) => ({ kind, startMs: T0 + startOffsetMs, endMs: T0 + endOffsetMs }));
}

export function runnerRow(overrides: Partial<RunnerRow> = {}): RunnerRow {
  return {
    runner: 'fleet-1-1',
    executionName: 'job-1-delivery-1',
    launchedForJobId: 1,
    ranJobId: 1,
    attempt: 1,
    runnerClass: 'fargate-small',
    capacity: 'spot',
    capacityProvider: 'FARGATE_SPOT',
    outcome: 'served-job',
    phases: phases(['minting', 0, 500], ['starting', 500, 10_000], ['running-job', 10_000, 20_000], ['cleaning-up', 20_000, 21_000]),
    ...overrides,
  };
}

export function jobRow(overrides: Partial<JobRow> = {}): JobRow {
  return {
    jobId: 1,
    repo: 'octo-org/hello-world',
    labels: ['self-hosted', 'linux', 'fargate-small'],
    runners: ['fleet-1-1'],
    capacity: 'spot',
    attempts: 1,
    interruptions: 0,
    outcome: 'Done',
    jobConclusion: 'success',
    queuedAtMs: T0,
    startedAtMs: T0 + 10_000,
    completedAtMs: T0 + 20_000,
    queueToStartMs: 10_000,
    ...overrides,
  };
}

export const RUNNERS: RunnerRow[] = [
  runnerRow({
    runner: 'fleet-101-1',
    executionName: 'job-101-delivery-a',
    launchedForJobId: 101,
    ranJobId: 101,
    outcome: 'spot-interrupted',
    phases: phases(['minting', 200, 900], ['starting', 900, 14_000], ['waiting', 14_000, 15_000], ['running-job', 15_000, 30_000], ['interrupted', 30_000, 32_000], ['cleaning-up', 32_000, 33_500]),
  }),
  runnerRow({
    runner: 'fleet-101-2',
    executionName: 'job-101-delivery-a',
    launchedForJobId: 101,
    ranJobId: 101,
    attempt: 2,
    phases: phases(['minting', 33_500, 34_100], ['starting', 34_100, 46_000], ['waiting', 46_000, 47_000], ['running-job', 47_000, 95_000], ['cleaning-up', 95_000, 96_500]),
  }),
  runnerRow({
    runner: 'fleet-102-1',
    executionName: 'job-102-delivery-b',
    launchedForJobId: 102,
    ranJobId: null,
    capacityProvider: null,
    outcome: 'capacity-unavailable',
    phases: phases(['minting', 2_200, 2_800], ['starting', 2_800, 5_800], ['cleaning-up', 5_800, 6_600]),
  }),
  runnerRow({
    runner: 'fleet-102-2',
    executionName: 'job-102-delivery-b',
    launchedForJobId: 102,
    ranJobId: 103,
    attempt: 2,
    capacity: 'on-demand',
    capacityProvider: 'FARGATE',
    outcome: 'served-other-job',
    phases: phases(['minting', 6_800, 7_300], ['starting', 7_300, 19_000], ['waiting', 19_000, 19_500], ['running-job', 19_500, 70_000], ['cleaning-up', 70_000, 71_200]),
  }),
  runnerRow({
    runner: ODD_RUNNER,
    executionName: 'job-103-delivery-c',
    launchedForJobId: 103,
    ranJobId: 102,
    runnerClass: 'fargate-large',
    outcome: 'served-other-job',
    phases: phases(['minting', 4_200, 4_900], ['starting', 4_900, 17_000], ['waiting', 17_000, 17_400], ['running-job', 17_400, 60_000], ['cleaning-up', 60_000, 61_000]),
  }),
];

export const JOBS: JobRow[] = [
  jobRow({
    jobId: 101,
    runners: ['fleet-101-1', 'fleet-101-2'],
    attempts: 2,
    interruptions: 1,
    queuedAtMs: T0,
    startedAtMs: T0 + 15_000,
    completedAtMs: T0 + 95_000,
    queueToStartMs: 15_000,
  }),
  jobRow({
    jobId: 102,
    repo: 'octo-org/api',
    runners: ['fleet-102-1', 'fleet-102-2'],
    attempts: 2,
    queuedAtMs: T0 + 2_000,
    startedAtMs: T0 + 17_400,
    completedAtMs: T0 + 60_000,
    queueToStartMs: 15_400,
  }),
  jobRow({
    jobId: 103,
    repo: 'octo-org/web',
    labels: ['self-hosted', 'linux', 'fargate-large'],
    runners: [ODD_RUNNER],
    capacity: 'on-demand',
    queuedAtMs: T0 + 4_000,
    startedAtMs: T0 + 19_500,
    completedAtMs: T0 + 70_000,
    queueToStartMs: 15_500,
  }),
];

export function buildReport(overrides: Partial<SandboxReport> = {}): SandboxReport {
  return {
    title: 'Sandbox run: Spot interruption, fallback & swap',
    startedAtMs: T0,
    endedAtMs: T0 + 100_000,
    jobs: JOBS,
    runners: RUNNERS,
    failures: [],
    summary: {
      jobs: 3,
      jobsServed: 3,
      executions: 3,
      executionsFailed: 0,
      runnersLaunched: 5,
      spotInterruptions: 1,
      relaunches: 2,
      onDemandFallbacks: 1,
      leftovers: { registrations: 1, jitFiles: 0, tasks: 0 },
      secretsLeaked: 0,
      makespanMs: 96_500,
      queueToStartMs: { p50: 15_400, p95: 15_500, max: 15_500 },
      gitHubCalls: {
        'POST /app/installations/{installation_id}/access_tokens': 3,
        'POST /orgs/{org}/actions/runners/generate-jitconfig': 5,
        'GET /repos/{owner}/{repo}/actions/jobs/{job_id}': 9,
        'DELETE /orgs/{org}/actions/runners/{runner_id}': 5,
        'POST /repos/{owner}/{repo}/actions/jobs/{job_id}/rerun': 1,
      },
      stateTransitions: 41,
    },
    ...overrides,
  };
}
