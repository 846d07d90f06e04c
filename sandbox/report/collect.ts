// Turns what a sandbox run recorded (execution event logs, the fake GitHub's events and jobs, the simulated ECS
// tasks) into the report the renderers draw: a row per job, a timeline row per runner, and the summary.
import { STATE, type AttemptSummary, type LifecycleState, type RunnerLaunch } from '../../statemachine/contracts';
import type { FakeGitHubEvent, JobView } from '../fake-github';
import type { TaskRecord } from '../fake-aws/ecs';
import type { ExecutionResult } from '../lifecycle/local-execution';
import { TERMINAL_STATES } from '../lifecycle/local-execution';
import type { LocalFleet } from '../local-fleet';
import type { ExecutionFailure, JobRow, Phase, RunnerRow, SandboxReport, SandboxSummary } from './types';

interface StateVisit {
  name: string;
  enteredMs: number;
  exitedMs: number;
  input: unknown;
  output: unknown;
}

export function collectReport(fleet: LocalFleet, title: string, startedAtMs: number, endedAtMs: number = Date.now()): SandboxReport {
  const githubEvents = fleet.github.events();
  const runners = fleet.executions.flatMap((execution) => runnerRows(execution, fleet.ecs.tasks, githubEvents));
  const jobs = fleet.github.jobs().map((job) => jobRow(job, fleet.executions, runners));
  const failures = fleet.executions.filter((e) => e.status === 'FAILED').map(failureOf);
  return { title, startedAtMs, endedAtMs, jobs, runners, failures, summary: summarize(fleet, jobs, startedAtMs, endedAtMs) };
}

/** The job an execution was started for: from a launch request, or from the state a handoff starts with. */
function jobIdOf(execution: ExecutionResult): number | null {
  const input = (execution.events[0] as { input?: { jobId?: number | null; request?: { jobId?: number | null } } } | undefined)?.input;
  return input?.jobId ?? input?.request?.jobId ?? null;
}

function failureOf(execution: ExecutionResult): ExecutionFailure {
  return {
    executionName: execution.executionArn.split(':').at(-1) ?? execution.executionArn,
    jobId: jobIdOf(execution),
    error: execution.error ?? 'unknown',
    cause: execution.cause ?? '',
    path: execution.path,
  };
}

/** The states an execution went through, with their times, inputs and outputs. */
export function stateVisits(execution: ExecutionResult): StateVisit[] {
  const visits: StateVisit[] = [];
  for (const event of execution.events) {
    if (event.type !== 'StateEntered' && event.type !== 'StateExited' && event.type !== 'StateFailed') continue;
    const state = (event as { state: { name: string; input: unknown; output?: unknown } }).state;
    if (event.type === 'StateEntered') {
      visits.push({ name: state.name, enteredMs: event.timestamp, exitedMs: event.timestamp, input: state.input, output: undefined });
      continue;
    }
    const open = [...visits].reverse().find((v) => v.name === state.name);
    if (open) {
      open.exitedMs = event.timestamp;
      if (event.type === 'StateExited') open.output = state.output;
    }
  }
  return visits;
}

function runnerRows(execution: ExecutionResult, tasks: TaskRecord[], githubEvents: readonly FakeGitHubEvent[]): RunnerRow[] {
  const visits = stateVisits(execution);
  const rows: RunnerRow[] = [];
  const executionName = execution.executionArn.split(':').at(-1) ?? execution.executionArn;
  let current: { row: RunnerRow; launch: RunnerLaunch } | undefined;

  for (const visit of visits) {
    if (visit.name === STATE.mintToken) {
      const launch = (visit.output as LifecycleState | undefined)?.runner;
      if (!launch) continue;
      const request = (visit.output as LifecycleState).request;
      const row: RunnerRow = {
        runner: launch.name,
        executionName,
        launchedForJobId: request.jobId ?? null,
        ranJobId: null,
        attempt: (visit.output as LifecycleState).attempt,
        runnerClass: launch.runnerClass,
        capacity: launch.capacity,
        capacityProvider: null,
        outcome: 'launch-failed',
        phases: [{ kind: 'minting', startMs: visit.enteredMs, endMs: visit.exitedMs }],
      };
      rows.push(row);
      current = { row, launch };
    } else if ((visit.name === STATE.runRunner || visit.name === STATE.runRunnerOnDemand) && current) {
      const task = tasks.find((t) => t.runnerName === current?.launch.name && t.startedAtMs >= visit.enteredMs - 1);
      if (!task) continue;
      current.row.capacityProvider = task.capacityProvider;
      current.row.capacity = /spot/i.test(task.capacityProvider) ? 'spot' : 'on-demand';
      current.row.ranJobId = task.jobId;
      current.row.phases.push(...taskPhases(task, githubEvents, visit.exitedMs));
    } else if (visit.name === STATE.cleanUp && current) {
      current.row.phases.push({ kind: 'cleaning-up', startMs: visit.enteredMs, endMs: visit.exitedMs });
      const attempts = (visit.output as LifecycleState | undefined)?.attempts ?? [];
      const summary: AttemptSummary | undefined = attempts.find((a) => a.runner === current?.launch.name);
      if (summary) current.row.outcome = summary.outcome;
      current = undefined;
    }
  }
  return rows;
}

/** A task's life seen from GitHub: starting until online, waiting until assigned, running until done. */
function taskPhases(task: TaskRecord, events: readonly FakeGitHubEvent[], stateExitedMs: number): Phase[] {
  const mine = events.filter((e) => e.runnerName === task.runnerName);
  const online = mine.find((e) => e.type === 'runner-online')?.atMs;
  const assigned = mine.find((e) => e.type === 'runner-assigned')?.atMs;
  const stopped = task.stoppedAtMs ?? stateExitedMs;
  const phases: Phase[] = [];
  const add = (kind: Phase['kind'], startMs: number | undefined, endMs: number | undefined) => {
    if (startMs !== undefined && endMs !== undefined && endMs >= startMs) phases.push({ kind, startMs, endMs });
  };
  const interrupted = task.stopCode === 'SpotInterruption' || task.stopCode === 'TaskFailedToStart' || (task.runnerExitCode ?? 0) !== 0;
  add('starting', task.startedAtMs, online ?? stopped);
  if (online !== undefined) add('waiting', online, assigned ?? stopped);
  if (assigned !== undefined) add('running-job', assigned, stopped);
  if (interrupted) add('interrupted', stopped, Math.max(stopped, stateExitedMs));
  return phases;
}

function jobRow(job: JobView, executions: ExecutionResult[], runners: RunnerRow[]): JobRow {
  const mine = executions.filter((e) => jobIdOf(e) === job.id);
  // The execution whose runner ran the job (a handoff's, when the first runner was taken by another job), else
  // one that ended Done, else any that was not a duplicate.
  const ranBy = runners.find((r) => r.ranJobId === job.id)?.executionName;
  const served =
    mine.find((e) => ranBy !== undefined && e.executionArn.endsWith(`:${ranBy}`)) ??
    mine.find((e) => e.path.at(-1) === STATE.done) ??
    mine.find((e) => e.path.at(-1) !== STATE.duplicate) ??
    mine[0];
  const attempts = (served?.output as LifecycleState | undefined)?.attempts ?? [];
  const rows = runners.filter((r) => served && r.executionName === served.executionArn.split(':').at(-1));
  const ran = runners.find((r) => r.ranJobId === job.id);
  return {
    jobId: job.id,
    repo: `${job.owner}/${job.repo}`,
    labels: job.labels,
    runners: rows.map((r) => r.runner),
    capacity: ran?.capacity ?? rows.at(-1)?.capacity ?? null,
    attempts: rows.length,
    interruptions: attempts.filter((a) => a.outcome === 'spot-interrupted').length,
    outcome: served ? (served.path.filter((s) => TERMINAL_STATES.includes(s)).at(-1) ?? served.status) : 'no execution',
    jobConclusion: job.status === 'completed' ? (job.conclusion ?? 'completed') : job.status,
    queuedAtMs: job.queuedAtMs,
    startedAtMs: job.startedAtMs,
    completedAtMs: job.completedAtMs,
    queueToStartMs: job.startedAtMs === null ? null : job.startedAtMs - job.queuedAtMs,
  };
}

function summarize(fleet: LocalFleet, jobs: JobRow[], startedAtMs: number, endedAtMs: number): SandboxSummary {
  const waits = jobs.map((j) => j.queueToStartMs).filter((ms): ms is number => ms !== null);
  // Relaunches within an execution, and executions the job-started handler started for a job whose runner was taken.
  const relaunches =
    fleet.executions.reduce((sum, e) => sum + Math.max(0, e.path.filter((s) => s === STATE.mintToken).length - 1), 0) +
    fleet.executions.filter((e) => e.executionArn.endsWith('-handoff')).length;
  return {
    jobs: jobs.length,
    jobsServed: jobs.filter((j) => j.jobConclusion === 'success').length,
    executions: fleet.executions.length,
    executionsFailed: fleet.executions.filter((e) => e.status === 'FAILED').length,
    runnersLaunched: fleet.ecs.tasks.length,
    spotInterruptions: fleet.ecs.tasks.filter((t) => t.stopCode === 'SpotInterruption').length,
    relaunches,
    onDemandFallbacks: fleet.executions.reduce((sum, e) => sum + e.path.filter((s) => s === STATE.runRunnerOnDemand).length, 0),
    leftovers: leftovers(fleet),
    secretsLeaked: fleet.leakedSecrets().length,
    makespanMs: endedAtMs - startedAtMs,
    queueToStartMs: { p50: percentile(waits, 50), p95: percentile(waits, 95), max: waits.length > 0 ? Math.max(...waits) : null },
    gitHubCalls: fleet.github.stats().calls,
    stateTransitions: fleet.executions.reduce((sum, e) => sum + e.path.length, 0),
  };
}

/** What a finished run must not leave: registrations of ours, JIT files, running tasks. */
export function leftovers(fleet: LocalFleet): SandboxSummary['leftovers'] {
  return {
    registrations: fleet.github.runners().filter((r) => r.name.startsWith('ecs-')).length,
    jitFiles: fleet.s3.keys().filter((key) => key.split('/')[1] === 'jit').length,
    tasks: fleet.ecs.running().length,
  };
}

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}
