// Runs one execution of the real lifecycle definition with aws-local-stepfunctions. Every Task state is given a
// local handler (a Task without one would call real AWS): the GitHub steps run the product's own code, and
// Run runner is whatever ECS the caller supplies (the sandbox's simulated tasks, or a test's script).
import { StateMachine } from 'aws-local-stepfunctions';
import { STATE, type GitHubStepInput } from '../../statemachine/contracts';
import { installPolyfills } from '../polyfills';
import type { Definition } from './definition';

installPolyfills();

/** One entry of the execution's event log (StateEntered, StateRetried, ExecutionFailed...). */
export type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** RunTask's parameters after Step Functions applied the state's Parameters (PascalCase, as the API takes them). */
export interface RunTaskParameters {
  Cluster: string;
  TaskDefinition: string;
  CapacityProviderStrategy: { CapacityProvider: string; Weight?: number; Base?: number }[];
  Overrides: { ContainerOverrides: { Name: string; EnvironmentFiles?: { Type: string; Value: string }[] }[] };
  StartedBy: string;
  Tags: { Key: string; Value: string }[];
  [other: string]: unknown;
}

/** Throw this from a runTask handler to end the state as `.sync` does when a container exits non-zero. */
export class TaskFailedError extends Error {
  override readonly name = 'States.TaskFailed';
  constructor(task: unknown) {
    super(JSON.stringify(task));
  }
}

/** Throw this to fail RunTask itself, e.g. `AmazonECS.Unknown` for a capacity failure. */
export class ServiceError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

export interface LocalHandlers {
  gitHubSteps(input: GitHubStepInput): Promise<unknown>;
  /** The ECS task, as DescribeTasks returns it once stopped; or throw TaskFailedError / ServiceError. */
  runTask(parameters: RunTaskParameters, stateName: string): Promise<unknown>;
}

export interface ExecutionResult {
  executionArn: string;
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output?: unknown;
  error?: string;
  cause?: string;
  /** Names of the states entered, in order: the audit a person reads in the console. */
  path: string[];
  events: EventLog[];
}

let executionCounter = 0;
const machines = new WeakMap<Definition, StateMachine>();

/** One StateMachine per definition: constructing it validates the whole definition, which is slow. */
function stateMachineFor(definition: Definition): StateMachine {
  let machine = machines.get(definition);
  if (!machine) {
    machine = new StateMachine(definition as unknown as ConstructorParameters<typeof StateMachine>[0], { validationOptions: { checkArn: false } });
    machines.set(definition, machine);
  }
  return machine;
}

export async function runLocalExecution(
  definition: Definition,
  input: unknown,
  handlers: LocalHandlers,
  options: {
    executionName?: string;
    stateMachineArn?: string;
    /**
     * Wait between retries: a constant in ms, or `{ scale }` for each retrier's own interval divided by `scale`
     * (without backoff or jitter: aws-local-stepfunctions takes one fixed wait per retrier).
     * @default 0
     */
    retryIntervalMs?: number | { scale: number };
    /** Stops the execution where it is, as StopExecution does: no Catch, no Clean up. */
    abortSignal?: AbortSignal;
  } = {},
): Promise<ExecutionResult> {
  executionCounter += 1;
  const name = options.executionName ?? `local-${process.pid}-${executionCounter}`;
  const stateMachineArn = options.stateMachineArn ?? 'arn:aws:states:local-1:000000000000:stateMachine:RunnerLifecycle';
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

  // A lambda:invoke state's Parameters are { FunctionName, Payload }; the function sees only the Payload.
  const lambdaState = async (parameters: unknown) => ({
    StatusCode: 200,
    Payload: await handlers.gitHubSteps((parameters as { Payload: GitHubStepInput }).Payload),
  });
  const taskHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const retryIntervalOverrides: Record<string, number | number[]> = {};
  for (const [stateName, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task') continue;
    retryIntervalOverrides[stateName] = retryWaits(state, options.retryIntervalMs ?? 0);
    taskHandlers[stateName] = String(state.Resource).includes('ecs:runTask')
      ? (parameters) => handlers.runTask(parameters as RunTaskParameters, stateName)
      : lambdaState;
  }

  const machine = stateMachineFor(definition);
  const execution = machine.run(input as Parameters<StateMachine['run']>[0], {
    overrides: { taskResourceLocalHandlers: taskHandlers as never, retryIntervalOverrides },
    context: { Execution: { Id: executionArn, Name: name, StartTime: new Date().toISOString(), RoleArn: 'arn:aws:iam::000000000000:role/local' } },
  });

  options.abortSignal?.addEventListener('abort', () => execution.abort(), { once: true });
  const events: EventLog[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  let output: unknown;
  let thrown: unknown;
  try {
    output = await execution.result;
  } catch (error) {
    thrown = error;
  }
  // The event log finishes after the result: read the failure from it only once it is complete.
  await collecting;
  const path = events.filter((e) => e.type === 'StateEntered').map((e) => (e as { state: { name: string } }).state.name);
  if (thrown === undefined) return { executionArn, status: 'SUCCEEDED', output, path, events };
  if (options.abortSignal?.aborted) return { executionArn, status: 'ABORTED', error: 'ExecutionAborted', cause: 'Stopped by hand (StopExecution)', path, events };
  const failure = events.find((e) => e.type === 'ExecutionFailed') as { Error?: string; Cause?: unknown } | undefined;
  const result: ExecutionResult = {
    executionArn,
    status: 'FAILED',
    error: failure?.Error ?? (thrown as Error).name,
    cause: typeof failure?.Cause === 'string' ? failure.Cause : JSON.stringify(failure?.Cause ?? (thrown as Error).message),
    path,
    events,
  };
  return result;
}

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}

/** The waits a Task state's retries take locally: a constant, or its own schedule sped up by `scale`. */
function retryWaits(state: Record<string, unknown>, setting: number | { scale: number }): number | number[] {
  if (typeof setting === 'number') return setting;
  // aws-local-stepfunctions takes one fixed wait per retrier (by its index in Retry, not per attempt): each
  // retrier waits its IntervalSeconds, sped up by `scale`. Backoff and jitter are not simulated.
  const retriers = (state.Retry as Retrier[] | undefined) ?? [];
  return retriers.map((retrier) => ((retrier.IntervalSeconds ?? 1) * 1000) / setting.scale);
}

export const TERMINAL_STATES: readonly string[] = [STATE.done, STATE.notNeeded, STATE.duplicate, STATE.noMatchingRunnerClass, STATE.failed];
