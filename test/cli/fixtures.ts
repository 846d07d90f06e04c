// Recorded-by-hand Step Functions responses for the CLI tests, shaped like GetExecutionHistory and
// DescribeExecution: a job whose Spot runner is interrupted, relaunched on demand, and serves the job.
import type { DescribeExecutionCommandOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import type { AttemptSummary, LaunchRequest, LifecycleState, RunnerLaunch } from '../../statemachine/contracts';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:RunnerLifecycle`;
export const CLUSTER = 'GitHubRunnersOnEcs-Cluster';
export const STACK_OUTPUTS = [
  { OutputKey: 'StateMachineArn', OutputValue: STATE_MACHINE_ARN },
  { OutputKey: 'ClusterName', OutputValue: CLUSTER },
  { OutputKey: 'StateMachineConsoleUrl', OutputValue: `https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/statemachines/view/${STATE_MACHINE_ARN}` },
];

export const executionArn = (name: string): string => `arn:aws:states:${REGION}:${ACCOUNT}:execution:RunnerLifecycle:${name}`;
export const taskArn = (id: string): string => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${id}`;

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

export const JOB_ID = 29679449;
export const REQUEST: LaunchRequest = { owner: 'octo-org', repo: 'hello-world', labels: ['self-hosted', 'fargate-small'], jobId: JOB_ID, runId: 1001, runAttempt: 1, installationId: 42 };

function launchOf(name: string, capacity: 'spot' | 'on-demand'): RunnerLaunch {
  return {
    name,
    id: 7,
    runnerClass: 'small',
    taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/small:3`,
    capacity,
    capacityProviderStrategy: [{ CapacityProvider: capacity === 'spot' ? 'FARGATE_SPOT' : 'FARGATE' }],
    onDemandCapacityProviderStrategy: [{ CapacityProvider: 'FARGATE' }],
    jitConfigArn: `arn:aws:s3:::jit-bucket/jit/${name}.env`,
    tags: [],
  };
}

export const INTERRUPTED: AttemptSummary = {
  attempt: 1,
  runner: 'ecs-small-29679449-1',
  runnerClass: 'small',
  capacity: 'spot',
  capacityProvider: 'FARGATE_SPOT',
  taskArn: taskArn('0a1b2c3d4e5f'),
  outcome: 'spot-interrupted',
  detail: 'SpotInterruption: Your Spot Task was interrupted.',
  registrationDeleted: true,
};
export const SERVED: AttemptSummary = {
  attempt: 2,
  runner: 'ecs-small-29679449-2',
  runnerClass: 'small',
  capacity: 'on-demand',
  capacityProvider: 'FARGATE',
  taskArn: taskArn('9f8e7d6c5b4a'),
  outcome: 'served-job',
  detail: 'EssentialContainerExited; runner exit 0',
  registrationDeleted: true,
};

const state = (overrides: Partial<LifecycleState>): LifecycleState => ({ request: REQUEST, attempt: 1, interruptions: 0, onDemand: false, attempts: [], ...overrides });
const json = (value: unknown): string => JSON.stringify(value);

/** A lifecycle with a Spot interruption and a relaunch, as GetExecutionHistory returns it (includeExecutionData). */
export function interruptedThenServedHistory(): HistoryEvent[] {
  const first = state({ runner: launchOf(INTERRUPTED.runner, 'spot') });
  const interruptedTask = { TaskArn: INTERRUPTED.taskArn, CapacityProviderName: 'FARGATE_SPOT', StopCode: 'SpotInterruption', StoppedReason: 'Your Spot Task was interrupted.', StartedAt: at(40).getTime(), StoppingAt: at(300).getTime() };
  const afterFirst = state({ attempt: 2, interruptions: 1, onDemand: true, attempts: [INTERRUPTED], next: 'relaunch' });
  const second = state({ attempt: 2, interruptions: 1, onDemand: true, attempts: [INTERRUPTED], runner: launchOf(SERVED.runner, 'on-demand') });
  const servedTask = { TaskArn: SERVED.taskArn, CapacityProviderName: 'FARGATE', LastStatus: 'STOPPED', StopCode: 'EssentialContainerExited', StartedAt: at(360).getTime() };
  const final = state({ attempt: 2, interruptions: 1, onDemand: true, attempts: [INTERRUPTED, SERVED], next: 'done' });
  const events: Array<Omit<HistoryEvent, 'id' | 'previousEventId'>> = [
    { timestamp: at(0), type: 'ExecutionStarted', executionStartedEventDetails: { input: json(REQUEST), roleArn: `arn:aws:iam::${ACCOUNT}:role/Lifecycle` } },
    { timestamp: at(0), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Mint token', input: json(REQUEST) } },
    { timestamp: at(0), type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: REGION, parameters: '{}' } },
    { timestamp: at(1), type: 'TaskFailed', taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'GitHubUnavailable', cause: json({ errorMessage: 'GitHub answered 502' }) } },
    { timestamp: at(4), type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: REGION, parameters: '{}' } },
    { timestamp: at(5), type: 'TaskSucceeded', taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: json({ Payload: first }) } },
    { timestamp: at(5), type: 'TaskStateExited', stateExitedEventDetails: { name: 'Mint token', output: json(first) } },
    { timestamp: at(5), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Run runner', input: json(first) } },
    { timestamp: at(5), type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'ecs', resource: 'runTask.sync', region: REGION, parameters: '{}' } },
    { timestamp: at(6), type: 'TaskSubmitted', taskSubmittedEventDetails: { resourceType: 'ecs', resource: 'runTask.sync', output: json({ Tasks: [{ TaskArn: INTERRUPTED.taskArn }] }) } },
    { timestamp: at(320), type: 'TaskFailed', taskFailedEventDetails: { resourceType: 'ecs', resource: 'runTask.sync', error: 'States.TaskFailed', cause: json(interruptedTask) } },
    { timestamp: at(320), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Clean up', input: json({ ...first, error: { Error: 'States.TaskFailed', Cause: json(interruptedTask) } }) } },
    { timestamp: at(320), type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: REGION, parameters: '{}' } },
    { timestamp: at(323), type: 'TaskSucceeded', taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: json({ Payload: afterFirst }) } },
    { timestamp: at(323), type: 'TaskStateExited', stateExitedEventDetails: { name: 'Clean up', output: json(afterFirst) } },
    { timestamp: at(323), type: 'ChoiceStateEntered', stateEnteredEventDetails: { name: 'Check job', input: json(afterFirst) } },
    { timestamp: at(323), type: 'ChoiceStateExited', stateExitedEventDetails: { name: 'Check job', output: json(afterFirst) } },
    { timestamp: at(323), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Mint token', input: json(afterFirst) } },
    { timestamp: at(323), type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: REGION, parameters: '{}' } },
    { timestamp: at(326), type: 'TaskSucceeded', taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: json({ Payload: second }) } },
    { timestamp: at(326), type: 'TaskStateExited', stateExitedEventDetails: { name: 'Mint token', output: json(second) } },
    { timestamp: at(326), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Run runner', input: json(second) } },
    { timestamp: at(326), type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'ecs', resource: 'runTask.sync', region: REGION, parameters: '{}' } },
    { timestamp: at(900), type: 'TaskSucceeded', taskSucceededEventDetails: { resourceType: 'ecs', resource: 'runTask.sync', output: json(servedTask) } },
    { timestamp: at(900), type: 'TaskStateExited', stateExitedEventDetails: { name: 'Run runner', output: json({ ...second, task: servedTask }) } },
    { timestamp: at(900), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Clean up', input: json({ ...second, task: servedTask }) } },
    { timestamp: at(900), type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: REGION, parameters: '{}' } },
    { timestamp: at(903), type: 'TaskSucceeded', taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: json({ Payload: final }) } },
    { timestamp: at(903), type: 'TaskStateExited', stateExitedEventDetails: { name: 'Clean up', output: json(final) } },
    { timestamp: at(903), type: 'ChoiceStateEntered', stateEnteredEventDetails: { name: 'Check job', input: json(final) } },
    { timestamp: at(903), type: 'ChoiceStateExited', stateExitedEventDetails: { name: 'Check job', output: json(final) } },
    { timestamp: at(903), type: 'SucceedStateEntered', stateEnteredEventDetails: { name: 'Done', input: json(final) } },
    { timestamp: at(903), type: 'SucceedStateExited', stateExitedEventDetails: { name: 'Done', output: json(final) } },
    { timestamp: at(903), type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: json(final) } },
  ];
  return events.map((event, index) => ({ ...event, id: index + 1, previousEventId: index }));
}

export const FINAL_OUTPUT = state({ attempt: 2, interruptions: 1, onDemand: true, attempts: [INTERRUPTED, SERVED], next: 'done' });

/** DescribeExecution outputs for the status table: served, relaunched after an interruption, running, failed. */
export function describedExecutions(): DescribeExecutionCommandOutput[] {
  const meta = { $metadata: {} };
  const served: AttemptSummary = { ...SERVED, attempt: 1, runner: 'ecs-small-111-1', capacity: 'spot', capacityProvider: 'FARGATE_SPOT' };
  return [
    { ...meta, executionArn: executionArn('running-one'), stateMachineArn: STATE_MACHINE_ARN, name: 'running-one', status: 'RUNNING', startDate: at(1000), input: json({ ...REQUEST, jobId: 333 }) },
    { ...meta, executionArn: executionArn('failed-one'), stateMachineArn: STATE_MACHINE_ARN, name: 'failed-one', status: 'FAILED', startDate: at(500), stopDate: at(510), input: json({ ...REQUEST, jobId: 444, labels: ['gpu'] }), error: 'NoMatchingRunnerClass', cause: 'No runner class offers gpu' },
    { ...meta, executionArn: executionArn('relaunched-one'), stateMachineArn: STATE_MACHINE_ARN, name: 'relaunched-one', status: 'SUCCEEDED', startDate: at(0), stopDate: at(903), input: json(REQUEST), output: json(FINAL_OUTPUT) },
    { ...meta, executionArn: executionArn('served-one'), stateMachineArn: STATE_MACHINE_ARN, name: 'served-one', status: 'SUCCEEDED', startDate: at(-100), stopDate: at(20), input: json({ ...REQUEST, jobId: 111 }), output: json(state({ request: { ...REQUEST, jobId: 111 }, attempts: [served], next: 'done' })) },
  ];
}
