// How one launch attempt ended, read from what Run runner left in the state: the stopped ECS task (in the
// success output, or as the JSON Cause of States.TaskFailed) or the error a Catch recorded.
import * as z from 'zod';
import { RUNNER_CONTAINER_NAME, RUNNER_EXIT_CODE, SERVICE_ERROR, type CaughtError } from '../../statemachine/contracts';

const MAX_DETAIL_LENGTH = 300;

/** The parts of an ECS DescribeTasks task (PascalCase, as Step Functions returns it) that Clean up reads. */
const stoppedTaskSchema = z.object({
  TaskArn: z.string().nullish(),
  LastStatus: z.string().nullish(),
  StopCode: z.string().nullish(),
  StoppedReason: z.string().nullish(),
  CapacityProviderName: z.string().nullish(),
  /** Epoch milliseconds (Step Functions' rendering of DescribeTasks timestamps), or an ISO date. */
  CreatedAt: z.union([z.number(), z.string()]).nullish(),
  StartedAt: z.union([z.number(), z.string()]).nullish(),
  Containers: z
    .array(z.object({ Name: z.string().nullish(), ExitCode: z.number().nullish(), Reason: z.string().nullish() }))
    .nullish(),
});
export type EcsTask = z.infer<typeof stoppedTaskSchema>;

/** Before the job check: `runner-exited` becomes served-job, served-other-job or idle once GitHub has been asked. */
export type AttemptKind = 'spot-interrupted' | 'capacity-unavailable' | 'runner-exited' | 'runner-failed' | 'launch-failed';

export interface AttemptClassification {
  kind: AttemptKind;
  /** One line: stop code, reason and exit code, or the launch error. Never the task JSON, never a secret. */
  detail: string;
  task: EcsTask | undefined;
}

const EXIT_CODE_MEANING: Record<number, string> = {
  [RUNNER_EXIT_CODE.missingJitConfig]: 'JIT config missing',
  [RUNNER_EXIT_CODE.dockerNotReady]: 'Docker daemon not ready',
  [RUNNER_EXIT_CODE.runnerFailed]: 'runner failed',
  [RUNNER_EXIT_CODE.terminated]: 'terminated',
  [RUNNER_EXIT_CODE.interrupted]: 'interrupted',
};

export function classifyAttempt(state: { task?: unknown; error?: CaughtError | undefined }): AttemptClassification {
  const task = taskOf(state.task) ?? taskOf(parseJson(state.error?.Cause));
  if (task) return classifyTask(task);
  const error = state.error;
  if (!error) return { kind: 'launch-failed', detail: 'Run runner recorded neither a task nor an error', task: undefined };
  if (error.Error === SERVICE_ERROR.timeout) return { kind: 'runner-failed', detail: oneLine(`${error.Error}: Run runner timed out`), task: undefined };
  const cause = causeSummary(error.Cause);
  const detail = oneLine(cause ? `${error.Error}: ${cause}` : error.Error);
  if (isEcsError(error.Error) && /capacity/i.test(error.Cause ?? '')) return { kind: 'capacity-unavailable', detail, task: undefined };
  return { kind: 'launch-failed', detail, task: undefined };
}

function classifyTask(task: EcsTask): AttemptClassification {
  const runner = task.Containers?.find((container) => container.Name === RUNNER_CONTAINER_NAME);
  const exitCode = runner?.ExitCode ?? undefined;
  const parts = [task.StopCode ?? `task ${task.LastStatus ?? 'status unknown'}`];
  if (task.StoppedReason) parts[0] = `${parts[0]}: ${task.StoppedReason}`;
  if (exitCode !== undefined) parts.push(`runner exit ${exitCode}${EXIT_CODE_MEANING[exitCode] ? ` (${EXIT_CODE_MEANING[exitCode]})` : ''}`);
  if (runner?.Reason) parts.push(runner.Reason);
  const detail = oneLine(parts.join('; '));

  if (task.StopCode === 'SpotInterruption' || task.StopCode === 'TerminationNotice') return { kind: 'spot-interrupted', detail, task };
  if (task.StopCode === 'TaskFailedToStart' && /capacity/i.test(task.StoppedReason ?? '')) return { kind: 'capacity-unavailable', detail, task };
  if (exitCode === RUNNER_EXIT_CODE.ok) return { kind: 'runner-exited', detail, task };
  return { kind: 'runner-failed', detail, task };
}

/** The task in a .sync success output (`{TaskArn, ...}` or a DescribeTasks `{Tasks: [...]}`), if it is one. */
function taskOf(value: unknown): EcsTask | undefined {
  const candidate = value !== null && typeof value === 'object' && 'Tasks' in value && Array.isArray(value.Tasks) ? (value.Tasks as unknown[])[0] : value;
  const parsed = stoppedTaskSchema.safeParse(candidate);
  if (!parsed.success) return undefined;
  const task = parsed.data;
  return task.TaskArn || task.StopCode || task.Containers ? task : undefined;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isEcsError(name: string): boolean {
  return name.startsWith('ECS.') || name.startsWith('AmazonECS.');
}

/** A Lambda error's message, RunTask's failure reasons, or the first line of a plain-text cause. */
function causeSummary(cause: string | undefined): string {
  if (!cause) return '';
  const parsed = parseJson(cause);
  if (parsed !== null && typeof parsed === 'object') {
    if ('errorMessage' in parsed && typeof parsed.errorMessage === 'string') return parsed.errorMessage;
    const failures = 'Failures' in parsed ? parsed.Failures : 'failures' in parsed ? parsed.failures : undefined;
    if (Array.isArray(failures)) {
      return failures
        .map((failure: unknown) => (failure !== null && typeof failure === 'object' && 'Reason' in failure ? String(failure.Reason) : 'unknown failure'))
        .join(', ');
    }
    return 'see the execution history';
  }
  return cause.split('\n')[0] ?? '';
}

export function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_DETAIL_LENGTH ? `${line.slice(0, MAX_DETAIL_LENGTH - 1)}…` : line;
}
