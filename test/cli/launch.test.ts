import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { parseLaunchRequest } from '../../lambdas/lifecycle/launch-request';
import { manualExecutionName } from '../../cli/launch';
import { executionArn, REGION, STATE_MACHINE_ARN } from './fixtures';
import { mockAws, runFleet } from './harness';

describe('fleet launch', () => {
  let aws: ReturnType<typeof mockAws>;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => {
    aws.sfn.restore();
    aws.cloudFormation.restore();
  });

  it('starts an execution whose input is the parsed launch request, and prints its ARN and console link', async () => {
    // GIVEN a deployed stack
    const arn = executionArn('manual-hello-world-20250301T102000.000Z');
    aws.sfn.on(StartExecutionCommand).resolves({ executionArn: arn, startDate: new Date() });

    // WHEN launching by hand
    const run = await runFleet(['launch', '--repo', 'octo-org/hello-world', '--labels', 'self-hosted, fargate-small', '--installation-id', '42']);

    // THEN
    expect(run.code).toBe(0);
    const call = aws.sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(call?.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(call?.name).toBe('manual-hello-world-20250301T102000.000Z');
    expect(JSON.parse(call?.input ?? 'null')).toEqual(parseLaunchRequest({ owner: 'octo-org', repo: 'hello-world', labels: ['self-hosted', 'fargate-small'], installationId: 42 }));
    expect(run.stdout).toContain(arn);
    expect(run.stdout).toContain(`https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/v2/executions/details/${arn}`);
  });

  it('rejects empty labels with exit code 2, naming the field, before any AWS call', async () => {
    const run = await runFleet(['launch', '--repo', 'octo-org/hello-world', '--labels', ',']);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/'labels\.0'/);
    expect(run.stderr).toContain('--labels');
    expect(aws.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(aws.cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  it('rejects a repository without its owner with exit code 2 and an example', async () => {
    const run = await runFleet(['launch', '--repo', 'hello-world', '--labels', 'fargate-small']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('OWNER/REPO');
  });

  it('rejects an unknown option with exit code 2', async () => {
    const run = await runFleet(['launch', '--repo', 'o/r', '--labels', 'x', '--lables', 'y']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--lables');
  });

  it('names executions readably within 80 valid characters', () => {
    const name = manualExecutionName('r'.repeat(100), new Date('2025-03-01T10:20:00.000Z'));

    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^manual-r+-20250301T102000\.000Z$/);
    expect(name).not.toMatch(/[\s<>{}[\]?*"#%\\^|~`$&,;:/]/);
  });
});

describe('fleet --help', () => {
  it('explains every command, and each command its options', async () => {
    const all = await runFleet(['--help']);
    const launch = await runFleet(['launch', '--help']);
    const audit = await runFleet(['audit', '--help']);

    expect(all.code).toBe(0);
    for (const command of ['launch', 'status', 'audit']) expect(all.stdout).toContain(command);
    expect(launch.stdout).toContain('--installation-id');
    expect(audit.stdout).toContain('--html FILE');
  });

  it('rejects an unknown command with exit code 2', async () => {
    const run = await runFleet(['deploy']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Unknown command "deploy"');
  });
});
