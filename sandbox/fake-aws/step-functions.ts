// Step Functions behind the same `send(command)` seam the SDK client has, over a LocalFleet: enough for the fleet
// CLI (StartExecution, ListExecutions, DescribeExecution, GetExecutionHistory). Executions are the fleet's own,
// whoever started them (this fake, the rule, the job-started handler); histories are aws-local-stepfunctions'
// event logs translated into the API's HistoryEvent shape. Errors are the SDK's own exception classes.
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidExecutionInput,
  InvalidToken,
  ListExecutionsCommand,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  type DescribeExecutionOutput,
  type ExecutionListItem,
  type ExecutionStatus,
  type GetExecutionHistoryOutput,
  type HistoryEvent,
  type HistoryEventType,
  type ListExecutionsOutput,
  type StartExecutionOutput,
} from '@aws-sdk/client-sfn';
import { randomUUID } from 'node:crypto';
import type { Definition } from '../lifecycle/definition';
import type { EventLog, ExecutionResult } from '../lifecycle/local-execution';
import type { LocalFleet } from '../local-fleet';

/** The ARN runLocalExecution gives the lifecycle when none is passed, as LocalFleet runs it. */
export const SANDBOX_STATE_MACHINE_ARN = 'arn:aws:states:local-1:000000000000:stateMachine:RunnerLifecycle';
const REGION = 'local-1';
const ROLE_ARN = 'arn:aws:iam::000000000000:role/local';
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/** The part of LocalFleet this fake reads and drives. */
export type FleetView = Pick<LocalFleet, 'launch' | 'executions' | 'inFlightExecutions' | 'definition'>;

interface ExecutionView {
  executionArn: string;
  name: string;
  status: ExecutionStatus;
  startMs: number;
  stopMs: number | undefined;
  input: unknown;
  result: ExecutionResult | undefined;
  /** Launch order, to break ties between executions started in the same millisecond (later first). */
  order: number;
}

const metadata = { httpStatusCode: 400 };

export class FakeStepFunctions {
  readonly calls: Record<string, number> = {};

  constructor(
    private readonly fleet: FleetView,
    readonly stateMachineArn: string = SANDBOX_STATE_MACHINE_ARN,
  ) {}

  send = async (command: unknown): Promise<unknown> => {
    await Promise.resolve();
    if (command instanceof StartExecutionCommand) {
      this.count('StartExecution');
      return this.startExecution(command.input);
    }
    if (command instanceof ListExecutionsCommand) {
      this.count('ListExecutions');
      return this.listExecutions(command.input);
    }
    if (command instanceof DescribeExecutionCommand) {
      this.count('DescribeExecution');
      return this.describeExecution(command.input.executionArn ?? '');
    }
    if (command instanceof GetExecutionHistoryCommand) {
      this.count('GetExecutionHistory');
      return this.getExecutionHistory(command.input);
    }
    throw new Error(`FakeStepFunctions does not implement ${(command as object).constructor.name}`);
  };

  executionArnOf(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  private startExecution(input: StartExecutionCommand['input']): StartExecutionOutput {
    this.checkStateMachine(input.stateMachineArn);
    const name = input.name ?? randomUUID();
    if (this.views().some((view) => view.name === name)) {
      throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${this.executionArnOf(name)}'`, $metadata: metadata });
    }
    let document: unknown;
    try {
      document = JSON.parse(input.input ?? '{}') as unknown;
    } catch (error) {
      throw new InvalidExecutionInput({ message: `Invalid State Machine Execution Input: '${error instanceof Error ? error.message : String(error)}'`, $metadata: metadata });
    }
    const startDate = new Date();
    void this.fleet.launch(document as Record<string, unknown>, name);
    return { executionArn: this.executionArnOf(name), startDate };
  }

  private listExecutions(input: ListExecutionsCommand['input']): ListExecutionsOutput {
    this.checkStateMachine(input.stateMachineArn);
    const views = this.views()
      .filter((view) => input.statusFilter === undefined || view.status === input.statusFilter)
      .sort((a, b) => b.startMs - a.startMs || b.order - a.order);
    const { items, nextToken } = page(views, input.maxResults, input.nextToken);
    const executions: ExecutionListItem[] = items.map((view) => ({
      executionArn: view.executionArn,
      stateMachineArn: this.stateMachineArn,
      name: view.name,
      status: view.status,
      startDate: new Date(view.startMs),
      ...(view.stopMs !== undefined ? { stopDate: new Date(view.stopMs) } : {}),
    }));
    return { executions, ...(nextToken ? { nextToken } : {}) };
  }

  private describeExecution(executionArn: string): Omit<DescribeExecutionOutput, never> {
    const view = this.find(executionArn);
    const result = view.result;
    return {
      executionArn: view.executionArn,
      stateMachineArn: this.stateMachineArn,
      name: view.name,
      status: view.status,
      startDate: new Date(view.startMs),
      ...(view.stopMs !== undefined ? { stopDate: new Date(view.stopMs) } : {}),
      input: JSON.stringify(view.input ?? {}),
      inputDetails: { included: true },
      ...(result?.status === 'SUCCEEDED' ? { output: JSON.stringify(result.output ?? null), outputDetails: { included: true } } : {}),
      ...(result && result.status !== 'SUCCEEDED' ? { error: result.error, cause: result.cause } : {}),
    };
  }

  private getExecutionHistory(input: GetExecutionHistoryCommand['input']): GetExecutionHistoryOutput {
    const view = this.find(input.executionArn ?? '');
    let events = view.result
      ? toHistoryEvents(view.result.events, this.fleet.definition)
      : // A running execution's event log is only handed over when it ends: only its start is known here.
        [{ id: 1, previousEventId: 0, timestamp: new Date(view.startMs), type: 'ExecutionStarted' as const, executionStartedEventDetails: { input: JSON.stringify(view.input ?? {}), inputDetails: { truncated: false }, roleArn: ROLE_ARN } }];
    if (input.includeExecutionData === false) events = events.map(withoutExecutionData);
    if (input.reverseOrder) events = [...events].reverse();
    const { items, nextToken } = page(events, input.maxResults, input.nextToken);
    return { events: items, ...(nextToken ? { nextToken } : {}) };
  }

  /** Every execution of the fleet, running or ended. */
  private views(): ExecutionView[] {
    const ended = this.fleet.executions.map((result, index): ExecutionView => {
      const started = result.events.find((e) => e.type === 'ExecutionStarted');
      const startMs = started?.timestamp ?? result.events[0]?.timestamp ?? 0;
      return {
        executionArn: result.executionArn,
        name: result.executionArn.split(':').at(-1) ?? result.executionArn,
        status: result.status,
        startMs,
        stopMs: result.events.at(-1)?.timestamp ?? startMs,
        input: started && 'input' in started ? started.input : undefined,
        result,
        order: index,
      };
    });
    const running = this.fleet.inFlightExecutions().map((execution, index): ExecutionView => ({
      executionArn: this.executionArnOf(execution.name),
      name: execution.name,
      status: 'RUNNING',
      startMs: execution.startedAtMs,
      stopMs: undefined,
      input: execution.input,
      result: undefined,
      order: ended.length + index,
    }));
    return [...ended, ...running];
  }

  private find(executionArn: string): ExecutionView {
    const view = this.views().filter((v) => v.executionArn === executionArn).at(-1);
    if (!view) throw new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${executionArn}'`, $metadata: metadata });
    return view;
  }

  private checkStateMachine(arn: string | undefined): void {
    if (arn !== this.stateMachineArn) throw new StateMachineDoesNotExist({ message: `State Machine Does Not Exist: '${arn ?? ''}'`, $metadata: metadata });
  }

  private count(operation: string): void {
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
  }
}

/** One page of `items` from the offset a token holds; the token of the next page when there is one. */
function page<T>(items: readonly T[], maxResults: number | undefined, token: string | undefined): { items: T[]; nextToken: string | undefined } {
  const size = Math.min(maxResults !== undefined && maxResults > 0 ? maxResults : DEFAULT_PAGE, MAX_PAGE);
  let from = 0;
  if (token !== undefined) {
    const match = /^offset-(\d+)$/.exec(token);
    if (!match) throw new InvalidToken({ message: `Invalid Token: '${token}'`, $metadata: metadata });
    from = Number(match[1]);
  }
  const to = from + size;
  return { items: items.slice(from, to), nextToken: to < items.length ? `offset-${to}` : undefined };
}

type Event = Omit<HistoryEvent, 'id' | 'previousEventId'>;

const json = (value: unknown): string => JSON.stringify(value ?? null);
const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value ?? null));

/** `arn:aws:states:::lambda:invoke` → lambda / invoke; `arn:aws:states:::ecs:runTask.sync` → ecs / runTask.sync. */
function resourceOf(state: Record<string, unknown> | undefined): { resourceType: string; resource: string } {
  const service = (typeof state?.Resource === 'string' ? state.Resource : '').split(':::').at(-1) ?? '';
  const [resourceType = 'unknown', ...rest] = service.split(':');
  return { resourceType, resource: rest.join(':') || 'unknown' };
}

/**
 * aws-local-stepfunctions' event log as the API's history: `<Type>StateEntered/Exited` by the state's Type in the
 * definition; a Task state's attempts as TaskScheduled, TaskStarted and TaskSucceeded or TaskFailed; a caught
 * failure leaves the state without a StateExited (the next state is entered), as in Step Functions.
 */
export function toHistoryEvents(log: readonly EventLog[], definition: Definition): HistoryEvent[] {
  const events: Event[] = [];
  const states = definition.States as Record<string, Record<string, unknown> | undefined>;
  const typeOf = (name: string, fallback: string): string => {
    const type = states[name]?.Type;
    return typeof type === 'string' ? type : fallback;
  };
  const caught = new Set<string>();
  const taskStarted = (name: string, timestamp: Date): void => {
    const { resourceType, resource } = resourceOf(states[name]);
    events.push(
      { timestamp, type: 'TaskScheduled', taskScheduledEventDetails: { resourceType, resource, region: REGION, parameters: json(states[name]?.Parameters ?? {}) } },
      { timestamp, type: 'TaskStarted', taskStartedEventDetails: { resourceType, resource } },
    );
  };

  for (const entry of log) {
    const timestamp = new Date(entry.timestamp);
    switch (entry.type) {
      case 'ExecutionStarted':
        events.push({ timestamp, type: 'ExecutionStarted', executionStartedEventDetails: { input: json(entry.input), inputDetails: { truncated: false }, roleArn: ROLE_ARN } });
        break;
      case 'ExecutionSucceeded':
        events.push({ timestamp, type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: json(entry.output), outputDetails: { truncated: false } } });
        break;
      case 'ExecutionFailed':
        events.push({ timestamp, type: 'ExecutionFailed', executionFailedEventDetails: { error: entry.Error, cause: text(entry.Cause) } });
        break;
      case 'ExecutionAborted':
        events.push({ timestamp, type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'ExecutionAborted', cause: 'Stopped by hand (StopExecution)' } });
        break;
      case 'ExecutionTimeout':
        events.push({ timestamp, type: 'ExecutionTimedOut', executionTimedOutEventDetails: { error: 'States.Timeout', cause: 'The execution ran longer than its TimeoutSeconds' } });
        break;
      case 'StateEntered': {
        const { name, input } = entry.state;
        const type = typeOf(name, entry.state.type);
        caught.delete(name);
        events.push({ timestamp, type: `${type}StateEntered` as HistoryEventType, stateEnteredEventDetails: { name, input: json(input), inputDetails: { truncated: false } } });
        if (type === 'Task') taskStarted(name, timestamp);
        break;
      }
      case 'StateExited': {
        const { name, output } = entry.state;
        // Step Functions enters the Catch's next state straight after TaskFailed.
        if (caught.has(name)) {
          caught.delete(name);
          break;
        }
        const type = typeOf(name, entry.state.type);
        if (type === 'Task') {
          const { resourceType, resource } = resourceOf(states[name]);
          events.push({ timestamp, type: 'TaskSucceeded', taskSucceededEventDetails: { resourceType, resource, output: json(output), outputDetails: { truncated: false } } });
        }
        events.push({ timestamp, type: `${type}StateExited` as HistoryEventType, stateExitedEventDetails: { name, output: json(output), outputDetails: { truncated: false } } });
        break;
      }
      case 'StateFailed': {
        const { name } = entry.state;
        // A Fail state (or any other) ends in ExecutionFailed, which follows.
        if (typeOf(name, entry.state.type) !== 'Task') break;
        const { resourceType, resource } = resourceOf(states[name]);
        events.push({ timestamp, type: 'TaskFailed', taskFailedEventDetails: { resourceType, resource, error: entry.Error, cause: text(entry.Cause) } });
        break;
      }
      case 'StateRetried':
        if (typeOf(entry.state.name, entry.state.type) === 'Task') taskStarted(entry.state.name, timestamp);
        break;
      case 'StateCaught':
        caught.add(entry.state.name);
        break;
      default:
        // Map iterations and Parallel branches: the lifecycle has neither.
        break;
    }
  }
  return events.map((event, index) => ({ ...event, id: index + 1, previousEventId: index }));
}

/** What GetExecutionHistory returns with includeExecutionData false: no inputs, outputs or parameters. */
function withoutExecutionData(event: HistoryEvent): HistoryEvent {
  const copy: HistoryEvent = { ...event };
  if (copy.executionStartedEventDetails) copy.executionStartedEventDetails = { ...copy.executionStartedEventDetails, input: undefined };
  if (copy.executionSucceededEventDetails) copy.executionSucceededEventDetails = { ...copy.executionSucceededEventDetails, output: undefined };
  if (copy.stateEnteredEventDetails) copy.stateEnteredEventDetails = { ...copy.stateEnteredEventDetails, input: undefined };
  if (copy.stateExitedEventDetails) copy.stateExitedEventDetails = { ...copy.stateExitedEventDetails, output: undefined };
  if (copy.taskSucceededEventDetails) copy.taskSucceededEventDetails = { ...copy.taskSucceededEventDetails, output: undefined };
  if (copy.taskScheduledEventDetails) copy.taskScheduledEventDetails = { ...copy.taskScheduledEventDetails, parameters: undefined };
  return copy;
}
