// The Step Functions fake over a LocalFleet: the API's shapes, paging and errors, and histories translated from
// aws-local-stepfunctions' event log the way Step Functions records them.
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  type DescribeExecutionOutput,
  type GetExecutionHistoryOutput,
  type ListExecutionsOutput,
  type StartExecutionOutput,
} from '@aws-sdk/client-sfn';
import { DescribeStacksCommand, type DescribeStacksOutput } from '@aws-sdk/client-cloudformation';
import { FakeCloudFormation } from '../../../sandbox/fake-aws/cloudformation';
import { scriptedPlans } from '../../../sandbox/fake-aws/ecs';
import { FakeStepFunctions, SANDBOX_STATE_MACHINE_ARN } from '../../../sandbox/fake-aws/step-functions';
import { LocalFleet, SANDBOX_ORGANIZATION } from '../../../sandbox/local-fleet';

let fleet: LocalFleet;
let sfn: FakeStepFunctions;

beforeEach(async () => {
  fleet = await LocalFleet.start({ startFromEvents: false, ecs: { idleTimeoutMs: 400 } });
  sfn = new FakeStepFunctions(fleet);
});

afterEach(async () => {
  await fleet.stop();
});

function request(labels = ['self-hosted', 'fargate-small']) {
  const job = fleet.github.queueJob({ owner: SANDBOX_ORGANIZATION, repo: 'hello-world', labels, durationMs: 30 });
  return { owner: SANDBOX_ORGANIZATION, repo: 'hello-world', labels, jobId: job.id, runId: job.runId, runAttempt: 1, installationId: 42 };
}

const history = async (executionArn: string, extra: Partial<GetExecutionHistoryCommand['input']> = {}) =>
  (await sfn.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: true, ...extra }))) as GetExecutionHistoryOutput;

describe('FakeStepFunctions', () => {
  it('runs the fleet\'s executions under the sandbox state machine ARN', async () => {
    const result = await fleet.launch(request());
    expect(result.executionArn.startsWith(SANDBOX_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:'))).toBe(true);
  });

  it('starts an execution, lists it as RUNNING, then SUCCEEDED with its input and output', async () => {
    const input = JSON.stringify(request());
    const started = (await sfn.send(new StartExecutionCommand({ stateMachineArn: SANDBOX_STATE_MACHINE_ARN, name: 'first', input }))) as StartExecutionOutput;
    expect(started.executionArn).toBe(sfn.executionArnOf('first'));

    const running = (await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }))) as DescribeExecutionOutput;
    expect(running).toMatchObject({ name: 'first', status: 'RUNNING', input });
    expect(running.stopDate).toBeUndefined();
    expect((await history(started.executionArn ?? '')).events?.map((e) => e.type)).toEqual(['ExecutionStarted']);

    await fleet.settled();
    const done = (await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }))) as DescribeExecutionOutput;
    expect(done).toMatchObject({ status: 'SUCCEEDED', input });
    expect(JSON.parse(done.output ?? '{}')).toMatchObject({ next: 'done', attempts: [expect.objectContaining({ outcome: 'served-job' })] });
    expect(done.stopDate?.getTime()).toBeGreaterThanOrEqual(done.startDate?.getTime() ?? Infinity);
  });

  it('lists newest first, by pages', async () => {
    for (const name of ['a', 'b', 'c']) {
      await sfn.send(new StartExecutionCommand({ stateMachineArn: SANDBOX_STATE_MACHINE_ARN, name, input: JSON.stringify(request()) }));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const first = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: SANDBOX_STATE_MACHINE_ARN, maxResults: 2 }))) as ListExecutionsOutput;
    const second = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: SANDBOX_STATE_MACHINE_ARN, maxResults: 2, nextToken: first.nextToken }))) as ListExecutionsOutput;
    expect(first.executions?.map((e) => e.name)).toEqual(['c', 'b']);
    expect(second.executions?.map((e) => e.name)).toEqual(['a']);
    expect(second.nextToken).toBeUndefined();
    await fleet.settled();
  });

  it('answers errors as Step Functions does', async () => {
    await expect(sfn.send(new DescribeExecutionCommand({ executionArn: sfn.executionArnOf('nope') }))).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    await expect(sfn.send(new ListExecutionsCommand({ stateMachineArn: 'arn:aws:states:local-1:000000000000:stateMachine:Other' }))).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: SANDBOX_STATE_MACHINE_ARN, input: '{oops' }))).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    await sfn.send(new StartExecutionCommand({ stateMachineArn: SANDBOX_STATE_MACHINE_ARN, name: 'once', input: JSON.stringify(request()) }));
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: SANDBOX_STATE_MACHINE_ARN, name: 'once', input: '{}' }))).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    await fleet.settled();
  });

  it('records a Task state\'s retries as new TaskScheduled events, and a catch without a StateExited', async () => {
    fleet.ecs.planner = scriptedPlans({ kind: 'throttled' }, { kind: 'interrupted-before-job', afterMs: 10 }, { kind: 'normal' });
    const result = await fleet.launch(request());
    const events = (await history(result.executionArn)).events ?? [];

    expect(events.map((e) => e.id)).toEqual(events.map((_, index) => index + 1));
    expect(events.map((e) => e.previousEventId)).toEqual(events.map((_, index) => index));
    const types = events.map((e) => (e.stateEnteredEventDetails?.name ? `${e.type}:${e.stateEnteredEventDetails.name}` : e.type));
    expect(types.slice(0, 12)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered:Mint token',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'TaskStateEntered:Run runner',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
    ]);
    // The throttled RunTask was retried; the interruption was caught and Clean up entered straight after.
    const failures = events.filter((e) => e.type === 'TaskFailed');
    expect(failures.map((e) => e.taskFailedEventDetails?.error)).toEqual(['ECS.AmazonECSException', 'States.TaskFailed']);
    const interrupted = events.indexOf(failures[1] as (typeof events)[number]);
    expect(events[interrupted + 1]).toMatchObject({ type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Clean up' } });
    expect(events.filter((e) => e.type === 'ChoiceStateEntered').length).toBe(2);
    expect(events.slice(-3).map((e) => e.type)).toEqual(['SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded']);
    expect(events.every((e) => e.timestamp instanceof Date)).toBe(true);

    const paged = await history(result.executionArn, { maxResults: 5 });
    expect(paged.events).toHaveLength(5);
    const rest = await history(result.executionArn, { maxResults: 1000, nextToken: paged.nextToken });
    expect([...(paged.events ?? []), ...(rest.events ?? [])]).toEqual(events);

    const bare = await history(result.executionArn, { includeExecutionData: false });
    expect(bare.events?.some((e) => e.stateEnteredEventDetails?.input !== undefined || e.stateExitedEventDetails?.output !== undefined)).toBe(false);
  });

  it('ends a Fail state with FailStateEntered and ExecutionFailed', async () => {
    const result = await fleet.launch(request(['gpu']));
    const events = (await history(result.executionArn)).events ?? [];

    expect(events.slice(-2).map((e) => e.type)).toEqual(['FailStateEntered', 'ExecutionFailed']);
    expect(events.at(-2)?.stateEnteredEventDetails?.name).toBe('No matching runner class');
    expect(events.at(-1)?.executionFailedEventDetails?.error).toBe('NoMatchingRunnerClass');
    const described = (await sfn.send(new DescribeExecutionCommand({ executionArn: result.executionArn }))) as DescribeExecutionOutput;
    expect(described).toMatchObject({ status: 'FAILED', error: 'NoMatchingRunnerClass' });
  });
});

describe('FakeCloudFormation', () => {
  it('describes the sandbox stack with the outputs the CLI reads', async () => {
    const cloudFormation = new FakeCloudFormation();
    const response = (await cloudFormation.send(new DescribeStacksCommand({ StackName: 'GitHubRunnersOnEcs' }))) as DescribeStacksOutput;
    const outputs: Record<string, string | undefined> = Object.fromEntries((response.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue]));
    expect(outputs).toMatchObject({ StateMachineArn: SANDBOX_STATE_MACHINE_ARN, ClusterName: 'runners' });
    await expect(cloudFormation.send(new DescribeStacksCommand({ StackName: 'Other' }))).rejects.toThrow('Stack with id Other does not exist');
  });
});
