// One job's (or execution's) life read back from Step Functions: the execution history becomes a text timeline
// for the terminal and, with --html, the sandbox's picture (a SandboxReport drawn by sandbox/report).
import type { HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { renderTimelineHtml } from '../sandbox/report/render-timeline';
import type { JobRow, Phase, RunnerRow, SandboxReport } from '../sandbox/report/types';
import { STATE, type AttemptSummary, type LifecycleState, type Outcome } from '../statemachine/contracts';
import type { AuditTarget } from './arguments';
import { describeExecutions, handoffJobId, jobIdOfInput, listRecentExecutions, nameOfExecution, parseDocument, readHistory, requestOf } from './executions';
import { executionConsoleUrl, formatDuration, formatTime, taskConsoleUrl } from './render';
import type { FleetResources } from './stack-outputs';
import { attemptsOf } from './status';

const TERMINAL_STATES: readonly string[] = [STATE.done, STATE.notNeeded, STATE.duplicate, STATE.noMatchingRunnerClass, STATE.failed];
const RUN_STATES: readonly string[] = [STATE.runRunner, STATE.runRunnerOnDemand];
const MAX_CAUSE_CHARS = 160;

/** No execution matched: say where we looked and how to look further. */
export class NoExecutionFoundError extends Error {
  override readonly name = 'NoExecutionFoundError';
}

export interface AuditedExecution {
  executionArn: string;
  events: HistoryEvent[];
}

/** A state's stay, from its Entered to its Exited event (or the failure that ended the execution). */
export interface StateVisit {
  name: string;
  enteredMs: number;
  exitedMs: number;
  input: unknown;
  output: unknown;
}

/** The executions to audit, oldest first: the one named, or those launched for the job among the recent ones. */
export async function findExecutions(sfn: SFNClient, resources: FleetResources, target: AuditTarget, search: number): Promise<string[]> {
  if (target.kind === 'execution') return [target.executionArn];
  const recent = await listRecentExecutions(sfn, resources.stateMachineArn, search);
  const described = await describeExecutions(sfn, recent);
  const matches = described.filter((e) => jobIdOfInput(parseDocument(e.input)) === target.jobId || handoffJobId(e.name ?? '') === target.jobId);
  if (matches.length === 0) {
    throw new NoExecutionFoundError(
      `No execution for job ${target.jobId} among the ${recent.length} most recent. Look further back with --search N (e.g. --search ${search * 5}), or pass the execution ARN.`,
    );
  }
  return matches
    .sort((a, b) => (a.startDate?.getTime() ?? 0) - (b.startDate?.getTime() ?? 0))
    .flatMap((e) => (e.executionArn ? [e.executionArn] : []));
}

export async function readAudits(sfn: SFNClient, executionArns: readonly string[]): Promise<AuditedExecution[]> {
  const out: AuditedExecution[] = [];
  for (const executionArn of executionArns) out.push({ executionArn, events: await readHistory(sfn, executionArn) });
  return out;
}

const msOf = (event: HistoryEvent): number => event.timestamp?.getTime() ?? 0;

export function stateVisits(events: readonly HistoryEvent[]): StateVisit[] {
  const visits: StateVisit[] = [];
  let open: StateVisit | undefined;
  for (const event of events) {
    const type = event.type ?? '';
    if (type.endsWith('StateEntered') && event.stateEnteredEventDetails) {
      open = { name: event.stateEnteredEventDetails.name ?? '?', enteredMs: msOf(event), exitedMs: msOf(event), input: parseDocument(event.stateEnteredEventDetails.input), output: undefined };
      visits.push(open);
    } else if (type.endsWith('StateExited') && event.stateExitedEventDetails) {
      const visit = [...visits].reverse().find((v) => v.name === event.stateExitedEventDetails?.name);
      if (visit) {
        visit.exitedMs = msOf(event);
        visit.output = parseDocument(event.stateExitedEventDetails.output);
      }
      open = undefined;
    } else if (open && (type.startsWith('Execution') || type.endsWith('Failed') || type.endsWith('TimedOut'))) {
      open.exitedMs = msOf(event);
    }
  }
  return visits;
}

/** The ECS task Run runner left in the state: its output's `task`, or the task JSON a States.TaskFailed carries. */
interface EcsTaskView {
  TaskArn?: string;
  CapacityProviderName?: string;
  StopCode?: string;
  StoppedReason?: string;
  StartedAt?: number | string;
  StoppingAt?: number | string;
}

function taskOf(state: unknown): EcsTaskView | undefined {
  if (state === null || typeof state !== 'object') return undefined;
  const candidates: unknown[] = [];
  if ('task' in state) candidates.push(state.task);
  if ('error' in state && state.error !== null && typeof state.error === 'object' && 'Cause' in state.error && typeof state.error.Cause === 'string') {
    candidates.push(parseDocument(state.error.Cause));
  }
  for (const candidate of candidates) {
    if (candidate !== null && typeof candidate === 'object' && 'TaskArn' in candidate && typeof candidate.TaskArn === 'string') return candidate as EcsTaskView;
  }
  return undefined;
}

function toMs(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

function lifecycleOf(document: unknown): Partial<LifecycleState> | undefined {
  return document !== null && typeof document === 'object' ? (document) : undefined;
}

/** A cause in one line: the ECS stop code and reason, a Lambda's message, or the first characters. */
function summarizeCause(cause: string | undefined): string {
  if (!cause) return '';
  const parsed = parseDocument(cause);
  if (parsed !== null && typeof parsed === 'object') {
    if ('StopCode' in parsed || 'StoppedReason' in parsed) {
      const task = parsed as EcsTaskView;
      return [task.StopCode, task.StoppedReason].filter((part) => part).join(': ');
    }
    if ('errorMessage' in parsed && typeof parsed.errorMessage === 'string') return oneLine(parsed.errorMessage);
  }
  return oneLine(cause);
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_CAUSE_CHARS ? `${line.slice(0, MAX_CAUSE_CHARS - 1)}…` : line;
}

function offset(ms: number, startMs: number): string {
  const seconds = Math.max(0, Math.round((ms - startMs) / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const mmss = `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return `+${h > 0 ? `${h}:` : ''}${mmss}`;
}

/** One execution's life in text: states entered and exited, retries, runners and tasks, interruptions, outcome. */
export function renderExecutionTimeline(audit: AuditedExecution, resources: FleetResources): string {
  const { executionArn, events } = audit;
  const region = resources.region;
  const startMs = events[0] ? msOf(events[0]) : 0;
  const lines: string[] = [];
  const at = (event: HistoryEvent, text: string): void => void lines.push(`  ${offset(msOf(event), startMs).padStart(8)}  ${text}`);
  const more = (text: string): void => void lines.push(`            ${text}`);
  let state: string | undefined;
  let scheduledInState = 0;
  let mints = 0;

  for (const [index, event] of events.entries()) {
    const type = event.type ?? '';
    if (type === 'ExecutionStarted') {
      const input = parseDocument(event.executionStartedEventDetails?.input);
      const jobId = jobIdOfInput(input);
      const request = requestOf(input);
      const repo = typeof request?.owner === 'string' && typeof request.repo === 'string' ? ` in ${request.owner}/${request.repo}` : '';
      at(event, `execution started for ${jobId === null ? 'a manual launch' : `job ${jobId}`}${repo}`);
    } else if (type.endsWith('StateEntered') && event.stateEnteredEventDetails) {
      state = event.stateEnteredEventDetails.name ?? '?';
      scheduledInState = 0;
      const input = lifecycleOf(parseDocument(event.stateEnteredEventDetails.input));
      let note = '';
      if (state === STATE.mintToken) {
        mints += 1;
        if (mints > 1 || (input?.attempts?.length ?? 0) > 0 || input?.next === 'relaunch') note = `  (relaunch, attempt ${mintedAttempt(events, index, input) ?? mints})`;
      }
      if (state === STATE.runRunnerOnDemand && input?.capacityFallback) note = `  (no Spot capacity: ${input.capacityFallback.Error})`;
      at(event, `-> ${state}${note}`);
      if (TERMINAL_STATES.includes(state) && type === 'FailStateEntered') more(`terminal state ${state}`);
    } else if (type === 'TaskScheduled' || type === 'LambdaFunctionScheduled') {
      scheduledInState += 1;
      if (scheduledInState > 1) at(event, `   retry ${scheduledInState - 1} of ${state ?? 'the task'}`);
    } else if (['TaskFailed', 'TaskTimedOut', 'TaskStartFailed', 'TaskSubmitFailed', 'LambdaFunctionFailed', 'LambdaFunctionTimedOut'].includes(type)) {
      const details = event.taskFailedEventDetails ?? event.taskTimedOutEventDetails ?? event.taskStartFailedEventDetails ?? event.taskSubmitFailedEventDetails ?? event.lambdaFunctionFailedEventDetails ?? event.lambdaFunctionTimedOutEventDetails;
      const cause = summarizeCause(details?.cause);
      at(event, `!! ${state ?? 'task'} failed: ${details?.error ?? type}${cause ? ` (${cause})` : ''}`);
    } else if (type.endsWith('StateExited') && event.stateExitedEventDetails) {
      const name = event.stateExitedEventDetails.name ?? '?';
      at(event, `<- ${name}`);
      for (const detail of exitDetails(name, lifecycleOf(parseDocument(event.stateExitedEventDetails.output)), resources)) more(detail);
    } else if (type === 'ExecutionSucceeded') {
      at(event, `execution succeeded`);
    } else if (type === 'ExecutionFailed' || type === 'ExecutionAborted' || type === 'ExecutionTimedOut') {
      const details = event.executionFailedEventDetails ?? event.executionAbortedEventDetails ?? event.executionTimedOutEventDetails;
      const cause = summarizeCause(details?.cause);
      at(event, `execution ${type.slice('Execution'.length).toLowerCase()}${details?.error ? `: ${details.error}` : ''}${cause ? ` (${cause})` : ''}`);
    }
  }

  const visits = stateVisits(events);
  const attempts = lastAttempts(visits);
  const terminal = visits.map((v) => v.name).filter((name) => TERMINAL_STATES.includes(name)).at(-1);
  const endEvent = events.at(-1);
  const finished = endEvent?.type?.startsWith('Execution') === true && endEvent.type !== 'ExecutionStarted';
  const interruptions = attempts.filter((a) => a.outcome === 'spot-interrupted').length;
  const relaunches = Math.max(0, visits.filter((v) => v.name === STATE.mintToken).length - 1);

  const head = [
    `Execution ${nameOfExecution(executionArn)}`,
    `  ${executionArn}`,
    `  ${executionConsoleUrl(region, executionArn)}`,
    `  started ${formatTime(events[0]?.timestamp)} UTC${endEvent && finished ? `, took ${formatDuration(msOf(endEvent) - startMs)}` : ', still running'}`,
    '',
    'Timeline',
  ];
  const runners = ['', `Runners (${attempts.length})`];
  for (const a of attempts) {
    runners.push(`  ${a.attempt}. ${a.runner}  class ${a.runnerClass ?? '-'}, ${a.capacity ?? '-'}${a.capacityProvider ? ` (${a.capacityProvider})` : ''}: ${a.outcome}${a.detail ? ` (${a.detail})` : ''}`);
    if (a.taskArn) runners.push(`     task ${a.taskArn}`, `     ${taskConsoleUrl(region, a.taskArn, resources.clusterName) ?? '(no console link: cluster unknown)'}`);
  }
  const served = attempts.find((a) => a.outcome === 'served-job');
  const timing = served?.timing ? waitLine(served.timing) : undefined;
  if (timing) runners.push('', timing);
  const outcome = [
    '',
    `Outcome: ${finished ? (terminal ?? endEvent?.type ?? 'unknown') : 'running'}` +
      (served ? `, job served by ${served.runner}` : '') +
      `; ${interruptions} Spot interruption${interruptions === 1 ? '' : 's'}, ${relaunches} relaunch${relaunches === 1 ? '' : 'es'}`,
  ];
  return [...head, ...lines, ...runners, ...outcome].join('\n');
}

/** "Job queued 10:00:00 UTC → runner started +42 s → job started +51 s": what the developer waited. */
function waitLine(timing: NonNullable<AttemptSummary['timing']>): string | undefined {
  const queued = Date.parse(timing.jobQueuedAt ?? '');
  if (Number.isNaN(queued)) return undefined;
  const after = (label: string, at: string | null): string => {
    const ms = Date.parse(at ?? '');
    return Number.isNaN(ms) ? '' : ` → ${label} +${formatDuration(ms - queued)}`;
  };
  return `Job queued ${formatTime(new Date(queued))} UTC${after('runner started', timing.runnerStartedAt)}${after('job started', timing.jobStartedAt)}`;
}

/**
 * The attempt a Mint token visit launches: its own output's, or when it failed, what Mint token would compute (its
 * input carries the previous attempt when `next` is relaunch: lambdas/mint-token).
 */
function mintedAttempt(events: readonly HistoryEvent[], enteredIndex: number, input: Partial<LifecycleState> | undefined): number | undefined {
  for (const event of events.slice(enteredIndex + 1)) {
    const type = event.type ?? '';
    if (type.endsWith('StateEntered') || type.startsWith('Execution')) break;
    if (type.endsWith('StateExited') && event.stateExitedEventDetails?.name === STATE.mintToken) {
      const attempt = lifecycleOf(parseDocument(event.stateExitedEventDetails.output))?.attempt;
      if (typeof attempt === 'number') return attempt;
      break;
    }
  }
  if (typeof input?.attempt !== 'number') return undefined;
  return input.next === 'relaunch' ? input.attempt + 1 : input.attempt;
}

function exitDetails(name: string, output: Partial<LifecycleState> | undefined, resources: FleetResources): string[] {
  if (!output) return [];
  if (name === STATE.mintToken && output.runner) {
    const r = output.runner;
    return [`runner ${r.name}, class ${r.runnerClass}, capacity ${r.capacity} (attempt ${output.attempt ?? '?'})`];
  }
  if (RUN_STATES.includes(name)) {
    const task = taskOf(output);
    if (!task?.TaskArn) return [];
    const link = taskConsoleUrl(resources.region, task.TaskArn, resources.clusterName);
    return [`task ${task.TaskArn}${task.CapacityProviderName ? ` on ${task.CapacityProviderName}` : ''}`, ...(link ? [link] : [])];
  }
  if (name === STATE.cleanUp) {
    const last = attemptsOf(output).at(-1);
    const out = last ? [`attempt ${last.attempt}: ${last.runner} ${last.outcome}${last.detail ? ` (${last.detail})` : ''}`] : [];
    if (last?.taskArn) {
      const link = taskConsoleUrl(resources.region, last.taskArn, resources.clusterName);
      out.push(`task ${last.taskArn}`, ...(link ? [link] : []));
    }
    if (output.next) out.push(`next: ${output.next}`);
    return out;
  }
  if (name === STATE.checkJob && output.next) return [`next: ${output.next}`];
  return [];
}

/** Every attempt Clean up recorded, from its last exit (the summary it appends to). */
function lastAttempts(visits: readonly StateVisit[]): AttemptSummary[] {
  const cleanUps = visits.filter((v) => v.name === STATE.cleanUp && v.output !== undefined);
  return attemptsOf(cleanUps.at(-1)?.output);
}

/** One timeline row per runner: minting, the task's life (starting, then running or waiting), cleaning up. */
export function runnerRows(audit: AuditedExecution): RunnerRow[] {
  const executionName = nameOfExecution(audit.executionArn);
  const visits = stateVisits(audit.events);
  const attempts = lastAttempts(visits);
  const rows: RunnerRow[] = [];
  let current: RunnerRow | undefined;
  for (const [index, visit] of visits.entries()) {
    if (visit.name === STATE.mintToken) {
      const state = lifecycleOf(visit.output);
      const launch = state?.runner;
      if (!launch) continue;
      current = {
        runner: launch.name,
        executionName,
        launchedForJobId: typeof state.request?.jobId === 'number' ? state.request.jobId : null,
        ranJobId: null,
        attempt: state.attempt ?? rows.length + 1,
        runnerClass: launch.runnerClass,
        capacity: launch.capacity,
        capacityProvider: null,
        outcome: 'launch-failed',
        phases: [{ kind: 'minting', startMs: visit.enteredMs, endMs: visit.exitedMs }],
      };
      rows.push(current);
    } else if (RUN_STATES.includes(visit.name) && current) {
      const row = current;
      const summary = attempts.find((a) => a.runner === row.runner);
      // A failed Run runner has no output: its task is in the Cause the Catch hands to Clean up.
      const next = visits[index + 1];
      const task = taskOf(visit.output) ?? (next?.name === STATE.cleanUp ? taskOf(next.input) : undefined);
      row.phases.push(...taskPhases(visit, task, summary?.outcome));
    } else if (visit.name === STATE.cleanUp && current) {
      const row = current;
      row.phases.push({ kind: 'cleaning-up', startMs: visit.enteredMs, endMs: visit.exitedMs });
      const summary = attempts.find((a) => a.runner === row.runner);
      if (summary) {
        row.outcome = summary.outcome;
        row.capacity = summary.capacity ?? row.capacity;
        row.capacityProvider = summary.capacityProvider;
        if (summary.outcome === 'served-job') row.ranJobId = row.launchedForJobId;
      }
      current = undefined;
    }
  }
  return rows;
}

function taskPhases(visit: StateVisit, task: EcsTaskView | undefined, outcome: Outcome | undefined): Phase[] {
  const fromMs = visit.enteredMs;
  const end = visit.exitedMs;
  if (end <= fromMs) return [];
  const started = clamp(toMs(task?.StartedAt), fromMs, end);
  const stopping = clamp(toMs(task?.StoppingAt), started ?? fromMs, end);
  const phases: Phase[] = [{ kind: 'starting', startMs: fromMs, endMs: started ?? end }];
  if (started === undefined) return phases;
  const interrupted = outcome === 'spot-interrupted' || outcome === 'runner-failed' || task?.StopCode === 'SpotInterruption';
  const bodyKind = outcome === 'idle' ? 'waiting' : 'running-job';
  if (interrupted) {
    if (stopping !== undefined && stopping > started) phases.push({ kind: bodyKind, startMs: started, endMs: stopping });
    phases.push({ kind: 'interrupted', startMs: stopping ?? started, endMs: end });
  } else {
    phases.push({ kind: bodyKind, startMs: started, endMs: end });
  }
  return phases;
}

function clamp(ms: number | undefined, min: number, max: number): number | undefined {
  return ms === undefined ? undefined : Math.min(Math.max(ms, min), max);
}

/** The executions as a SandboxReport, for the sandbox's renderer (fields only the sandbox knows are zero or empty). */
export function buildAuditReport(audits: readonly AuditedExecution[], title: string): SandboxReport {
  const runners = audits.flatMap(runnerRows);
  const allEvents = audits.flatMap((a) => a.events);
  const times = allEvents.map(msOf);
  const startedAtMs = times.length > 0 ? Math.min(...times) : 0;
  const endedAtMs = times.length > 0 ? Math.max(...times) : 0;
  const visits = audits.map((a) => stateVisits(a.events));
  const jobs: JobRow[] = [];
  const first = audits[0];
  const input = first ? parseDocument(first.events.find((e) => e.type === 'ExecutionStarted')?.executionStartedEventDetails?.input) : undefined;
  const jobId = jobIdOfInput(input);
  const request = requestOf(input);
  const last = visits.at(-1) ?? [];
  const outcome = last.map((v) => v.name).filter((name) => TERMINAL_STATES.includes(name)).at(-1) ?? 'running';
  if (jobId !== null) {
    const ran = runners.find((r) => r.outcome === 'served-job');
    jobs.push({
      jobId,
      repo: typeof request?.owner === 'string' && typeof request.repo === 'string' ? `${request.owner}/${request.repo}` : '-',
      labels: Array.isArray((request as { labels?: unknown } | undefined)?.labels) ? ((request as { labels: unknown[] }).labels.map(String)) : [],
      runners: runners.map((r) => r.runner),
      capacity: ran?.capacity ?? runners.at(-1)?.capacity ?? null,
      attempts: runners.length,
      interruptions: runners.filter((r) => r.outcome === 'spot-interrupted').length,
      outcome,
      jobConclusion: ran ? 'served' : 'not known here (see GitHub)',
      queuedAtMs: startedAtMs,
      startedAtMs: null,
      completedAtMs: null,
      queueToStartMs: null,
    });
  }
  return {
    title,
    startedAtMs,
    endedAtMs,
    jobs,
    runners,
    failures: audits.flatMap((a, index) => {
      const failed = a.events.find((e) => e.type === 'ExecutionFailed');
      if (!failed) return [];
      return [{
        executionName: nameOfExecution(a.executionArn),
        jobId,
        error: failed.executionFailedEventDetails?.error ?? 'unknown',
        cause: summarizeCause(failed.executionFailedEventDetails?.cause),
        path: (visits[index] ?? []).map((v) => v.name),
      }];
    }),
    summary: {
      jobs: jobs.length,
      jobsServed: runners.some((r) => r.outcome === 'served-job') ? jobs.length || 1 : 0,
      executions: audits.length,
      executionsFailed: audits.filter((a) => a.events.some((e) => e.type === 'ExecutionFailed')).length,
      runnersLaunched: runners.length,
      spotInterruptions: runners.filter((r) => r.outcome === 'spot-interrupted').length,
      relaunches: visits.reduce((sum, v) => sum + Math.max(0, v.filter((s) => s.name === STATE.mintToken).length - 1), 0) + Math.max(0, audits.length - 1),
      onDemandFallbacks: visits.reduce((sum, v) => sum + v.filter((s) => s.name === STATE.runRunnerOnDemand).length, 0),
      leftovers: { registrations: 0, jitFiles: 0, tasks: 0 },
      secretsLeaked: 0,
      makespanMs: endedAtMs - startedAtMs,
      queueToStartMs: { p50: null, p95: null, max: null },
      gitHubCalls: {},
      stateTransitions: visits.reduce((sum, v) => sum + v.length, 0),
    },
  };
}

/** The sandbox's timeline page, with the audit's own text timeline as its summary (not the sandbox's figures). */
export function renderAuditHtml(audits: readonly AuditedExecution[], title: string, summaryText: string): string {
  return renderTimelineHtml(buildAuditReport(audits, title), { summaryText });
}
