import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import type { StatusRow } from '../../cli/status';
import { describedExecutions, STATE_MACHINE_ARN } from './fixtures';
import { mockAws, runFleet } from './harness';

describe('fleet status', () => {
  let aws: ReturnType<typeof mockAws>;
  beforeEach(() => {
    aws = mockAws();
    const described = describedExecutions();
    aws.sfn.on(ListExecutionsCommand).resolves({
      executions: described.map((e) => ({ executionArn: e.executionArn, stateMachineArn: STATE_MACHINE_ARN, name: e.name, status: e.status, startDate: e.startDate })),
    });
    for (const execution of described) aws.sfn.on(DescribeExecutionCommand, { executionArn: execution.executionArn }).resolves(execution);
  });
  afterEach(() => {
    aws.sfn.restore();
    aws.cloudFormation.restore();
  });

  it('tabulates served, relaunched, running and failed executions, newest first', async () => {
    const run = await runFleet(['status']);

    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^EXECUTION\s+JOB\s+REPO\s+RUNNER\s+CLASS\s+CAPACITY\s+ATTEMPTS\s+OUTCOME\s+STARTED\s+DURATION$/);
    expect(lines[2]).toMatch(/^running-one\s+333\s+octo-org\/hello-world\s+-\s+-\s+-\s+0\s+running\s+2025-03-01 10:16:40\s+3 min 20 s$/);
    expect(lines[3]).toMatch(/^failed-one\s+444\s.*No matching runner class/);
    expect(lines[4]).toMatch(/^relaunched-one\s+29679449\s+octo-org\/hello-world\s+ecs-small-29679449-2\s+small\s+on-demand\s+2\s+Done\s/);
    expect(lines[5]).toMatch(/^served-one\s+111\s+octo-org\/hello-world\s+ecs-small-111-1\s+small\s+spot\s+1\s+Done\s/);
    expect(aws.sfn.commandCalls(ListExecutionsCommand)[0]?.args[0].input).toMatchObject({ stateMachineArn: STATE_MACHINE_ARN, maxResults: 20 });
  });

  it('prints the rows as JSON with --json', async () => {
    const run = await runFleet(['status', '--json', '--limit', '4']);

    const rows = JSON.parse(run.stdout) as StatusRow[];
    expect(rows.map((r) => [r.execution, r.job, r.runner, r.attempts, r.outcome])).toEqual([
      ['running-one', '333', null, 0, 'running'],
      ['failed-one', '444', null, 0, 'No matching runner class'],
      ['relaunched-one', '29679449', 'ecs-small-29679449-2', 2, 'Done'],
      ['served-one', '111', 'ecs-small-111-1', 1, 'Done'],
    ]);
    expect(rows[2]?.durationMs).toBe(903_000);
  });

  it('rejects a bad --limit with exit code 2', async () => {
    const run = await runFleet(['status', '--limit', 'lots']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--limit "lots"');
  });

  it('fails with a clear message when the stack has no outputs: deploy, or pass --stack', async () => {
    aws.cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Other', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [] }] });

    const run = await runFleet(['status', '--stack', 'Other']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Stack "Other" has no StateMachineArn output');
    expect(run.stderr).toContain('npx cdk deploy');
    expect(run.stderr).toContain('--stack');
  });

  it('fails with a clear message when the stack does not exist', async () => {
    aws.cloudFormation.on(DescribeStacksCommand).rejects(new Error('Stack with id GitHubRunnersOnEcs does not exist'));

    const run = await runFleet(['status']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Stack "GitHubRunnersOnEcs" not found');
    expect(run.stderr).toContain('--stack NAME');
  });
});
