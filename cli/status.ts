// The recent lifecycle executions as rows: what each did, read from its input and output documents.
import type { DescribeExecutionCommandOutput, SFNClient } from '@aws-sdk/client-sfn';
import { ERROR, STATE, type AttemptSummary } from '../statemachine/contracts';
import { describeExecutions, jobIdOfInput, listRecentExecutions, parseDocument, requestOf } from './executions';
import { formatDuration, formatTime, renderTable } from './render';

export interface StatusRow {
  execution: string;
  executionArn: string;
  job: string;
  repo: string;
  runner: string | null;
  runnerClass: string | null;
  capacity: string | null;
  attempts: number;
  outcome: string;
  startedAt: string | null;
  durationMs: number | null;
}

export async function readStatus(sfn: SFNClient, stateMachineArn: string, limit: number, now: Date): Promise<StatusRow[]> {
  const executions = await listRecentExecutions(sfn, stateMachineArn, limit);
  const described = await describeExecutions(sfn, executions);
  return described.map((execution) => statusRow(execution, now));
}

export function statusRow(execution: DescribeExecutionCommandOutput, now: Date): StatusRow {
  const input = parseDocument(execution.input);
  const output = parseDocument(execution.output);
  const request = requestOf(input);
  const attempts = attemptsOf(output);
  const last = attempts.at(-1);
  const jobId = jobIdOfInput(input);
  const start = execution.startDate;
  const end = execution.stopDate ?? (execution.status === 'RUNNING' ? now : undefined);
  return {
    execution: execution.name ?? '-',
    executionArn: execution.executionArn ?? '-',
    job: jobId === null ? 'manual' : String(jobId),
    repo: typeof request?.owner === 'string' && typeof request.repo === 'string' ? `${request.owner}/${request.repo}` : '-',
    runner: last?.runner ?? null,
    runnerClass: last?.runnerClass ?? null,
    capacity: last?.capacity ?? null,
    attempts: attempts.length,
    outcome: outcomeOf(execution, output),
    startedAt: start ? start.toISOString() : null,
    durationMs: start && end ? end.getTime() - start.getTime() : null,
  };
}

export function attemptsOf(document: unknown): AttemptSummary[] {
  if (document === null || typeof document !== 'object' || !('attempts' in document) || !Array.isArray(document.attempts)) return [];
  return document.attempts.filter((a): a is AttemptSummary => a !== null && typeof a === 'object' && typeof (a as { runner?: unknown }).runner === 'string');
}

/** The terminal state, from the status and the output the Catches leave (no history read: one call per row). */
function outcomeOf(execution: DescribeExecutionCommandOutput, output: unknown): string {
  switch (execution.status) {
    case 'RUNNING':
      return 'running';
    case 'SUCCEEDED': {
      const error = output !== null && typeof output === 'object' && 'error' in output ? (output.error as { Error?: unknown } | null) : null;
      if (error?.Error === ERROR.runnerNameTaken) return STATE.duplicate;
      if (error?.Error === ERROR.jobNotQueued) return STATE.notNeeded;
      return STATE.done;
    }
    case 'FAILED':
      if (execution.error === ERROR.noMatchingRunnerClass) return STATE.noMatchingRunnerClass;
      return execution.error ? `${STATE.failed}: ${execution.error}` : STATE.failed;
    default:
      return (execution.status ?? 'unknown').toLowerCase().replace('_', ' ');
  }
}

const HEADERS = ['EXECUTION', 'JOB', 'REPO', 'RUNNER', 'CLASS', 'CAPACITY', 'ATTEMPTS', 'OUTCOME', 'STARTED', 'DURATION'];
const MAX_NAME = 40;

export function renderStatusTable(rows: readonly StatusRow[]): string {
  if (rows.length === 0) return 'No executions yet. Start one with npx fleet launch, or queue a job that asks for a runner class.';
  return renderTable(
    HEADERS,
    rows.map((row) => [
      row.execution.length > MAX_NAME ? `${row.execution.slice(0, MAX_NAME - 1)}…` : row.execution,
      row.job,
      row.repo,
      row.runner ?? '-',
      row.runnerClass ?? '-',
      row.capacity ?? '-',
      String(row.attempts),
      row.outcome,
      row.startedAt ? formatTime(new Date(row.startedAt)) : '-',
      row.durationMs === null ? '-' : formatDuration(row.durationMs),
    ]),
  );
}
