import { classifyAttempt } from '../../../lambdas/clean-up/classify-attempt';
import { aStoppedTask, TASK_ARN } from '../support/builders';

const spotTask = aStoppedTask({ StopCode: 'SpotInterruption', StoppedReason: 'Your Spot Task was interrupted.', runnerExitCode: 143 });

describe('classifyAttempt', () => {
  it('reads a Spot interruption from the .sync success output', () => {
    expect(classifyAttempt({ task: spotTask })).toMatchObject({
      kind: 'spot-interrupted',
      detail: 'SpotInterruption: Your Spot Task was interrupted.; runner exit 143 (terminated)',
      task: { TaskArn: TASK_ARN, CapacityProviderName: 'FARGATE_SPOT' },
    });
  });

  it('reads a Spot interruption from the JSON cause of States.TaskFailed', () => {
    expect(classifyAttempt({ error: { Error: 'States.TaskFailed', Cause: JSON.stringify(spotTask) } }).kind).toBe('spot-interrupted');
  });

  it('treats a termination notice (Managed Instances) as a Spot interruption', () => {
    expect(classifyAttempt({ task: aStoppedTask({ StopCode: 'TerminationNotice', runnerExitCode: 143 }) }).kind).toBe('spot-interrupted');
  });

  it('reads a DescribeTasks-shaped output too', () => {
    expect(classifyAttempt({ task: { Tasks: [spotTask], Failures: [] } }).kind).toBe('spot-interrupted');
  });

  it('sees missing capacity in a task that failed to start', () => {
    const task = aStoppedTask({ StopCode: 'TaskFailedToStart', StoppedReason: 'Capacity is unavailable at this time. Please try again later.', runnerExitCode: null });

    expect(classifyAttempt({ task }).kind).toBe('capacity-unavailable');
  });

  it('sees missing capacity in an ECS error with no task', () => {
    const error = { Error: 'ECS.AmazonECSException', Cause: 'No Container Instances were found in your capacity provider (Service: AmazonECS; Status Code: 400)' };

    expect(classifyAttempt({ error })).toMatchObject({ kind: 'capacity-unavailable', task: undefined });
  });

  it('sees missing capacity in the failures RunTask returned', () => {
    const error = { Error: 'AmazonECS.Unknown', Cause: JSON.stringify({ Failures: [{ Arn: 'arn:aws:ecs:eu-west-1:1:capacity-provider/FARGATE_SPOT', Reason: 'Capacity is unavailable at this time.' }], Tasks: [] }) };

    expect(classifyAttempt({ error })).toMatchObject({ kind: 'capacity-unavailable', detail: 'AmazonECS.Unknown: Capacity is unavailable at this time.' });
  });

  it('leaves the served or idle decision for later when the runner exited 0', () => {
    expect(classifyAttempt({ task: aStoppedTask({ runnerExitCode: 0 }) }).kind).toBe('runner-exited');
  });

  it.each([
    [10, 'JIT config missing'],
    [11, 'Docker daemon not ready'],
    [12, 'runner failed'],
    [1, undefined],
  ])('reports runner exit %i as a runner failure with its meaning', (exitCode, meaning) => {
    const { kind, detail } = classifyAttempt({ error: { Error: 'States.TaskFailed', Cause: JSON.stringify(aStoppedTask({ runnerExitCode: exitCode })) } });

    expect(kind).toBe('runner-failed');
    expect(detail).toBe(`EssentialContainerExited: Essential container in task exited; runner exit ${exitCode}${meaning ? ` (${meaning})` : ''}`);
  });

  it('reports a stopped task that never started its runner as a runner failure with the reason', () => {
    const task = aStoppedTask({ StopCode: 'TaskFailedToStart', StoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)', runnerExitCode: null });

    expect(classifyAttempt({ task })).toMatchObject({ kind: 'runner-failed', detail: 'TaskFailedToStart: CannotPullContainerError: pull image manifest has been retried 5 time(s)' });
  });

  it('reports a task stopped by a person as a runner failure, even with exit 143', () => {
    expect(classifyAttempt({ task: aStoppedTask({ StopCode: 'UserInitiated', StoppedReason: 'Task stopped by user', runnerExitCode: 143 }) }).kind).toBe('runner-failed');
  });

  it('reports a timeout as a runner failure', () => {
    expect(classifyAttempt({ error: { Error: 'States.Timeout', Cause: '' } })).toMatchObject({ kind: 'runner-failed', detail: 'States.Timeout: Run runner timed out' });
  });

  it('reports a Mint token error as a launch failure, with the Lambda error message', () => {
    const error = { Error: 'GitHubUnavailable', Cause: JSON.stringify({ errorType: 'GitHubUnavailable', errorMessage: 'GitHub is unavailable for POST /x: HTTP 502', trace: ['at a', 'at b'] }) };

    expect(classifyAttempt({ error })).toEqual({ kind: 'launch-failed', detail: 'GitHubUnavailable: GitHub is unavailable for POST /x: HTTP 502', task: undefined });
  });

  it('keeps the detail to one short line', () => {
    const { detail } = classifyAttempt({ error: { Error: 'ECS.ServerException', Cause: `first line ${'x'.repeat(500)}\nsecond line` } });

    expect(detail).not.toContain('\n');
    expect(detail.length).toBeLessThanOrEqual(300);
  });
});
