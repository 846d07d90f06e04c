import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { buildAuditReport } from '../../cli/audit';
import { parseAuditTarget } from '../../cli/arguments';
import { CLUSTER, describedExecutions, executionArn, interruptedThenServedHistory, INTERRUPTED, JOB_ID, REGION, SERVED, STATE_MACHINE_ARN } from './fixtures';
import { mockAws, runFleet } from './harness';

const ARN = executionArn('relaunched-one');
const ecsLink = (arn: string): string => `https://${REGION}.console.aws.amazon.com/ecs/v2/clusters/${CLUSTER}/tasks/${arn.split('/').at(-1)}`;

describe('fleet audit', () => {
  let aws: ReturnType<typeof mockAws>;
  beforeEach(() => {
    aws = mockAws();
    const history = interruptedThenServedHistory();
    // Two pages, as the API returns long histories.
    aws.sfn.on(GetExecutionHistoryCommand, { executionArn: ARN }).resolves({ events: history.slice(0, 10), nextToken: 'page-2' });
    aws.sfn.on(GetExecutionHistoryCommand, { executionArn: ARN, nextToken: 'page-2' }).resolves({ events: history.slice(10) });
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

  it('renders an interruption and a relaunch as a timeline with both runners, task links and the outcome', async () => {
    const run = await runFleet(['audit', ARN]);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('execution started for job 29679449 in octo-org/hello-world');
    expect(run.stdout).toMatch(/\+00:01 {2}!! Mint token failed: GitHubUnavailable \(GitHub answered 502\)/);
    expect(run.stdout).toMatch(/\+00:04 {5}retry 1 of Mint token/);
    expect(run.stdout).toMatch(/\+05:20 {2}!! Run runner failed: States.TaskFailed \(SpotInterruption: Your Spot Task was interrupted.\)/);
    expect(run.stdout).toMatch(/\+05:23 {2}-> Mint token {2}\(relaunch, attempt 2\)/);
    expect(run.stdout).toContain(`1. ${INTERRUPTED.runner}  class small, spot (FARGATE_SPOT): spot-interrupted`);
    expect(run.stdout).toContain(`2. ${SERVED.runner}  class small, on-demand (FARGATE): served-job`);
    expect(run.stdout).toContain(ecsLink(INTERRUPTED.taskArn ?? ''));
    expect(run.stdout).toContain(ecsLink(SERVED.taskArn ?? ''));
    expect(run.stdout).toContain(`Outcome: Done, job served by ${SERVED.runner}; 1 Spot interruption, 1 relaunch`);
    expect(run.stdout).toContain(`https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/v2/executions/details/${ARN}`);
  });

  it('finds the executions of a job from its URL among the recent ones', async () => {
    const run = await runFleet(['audit', `https://github.com/octo-org/hello-world/actions/runs/1001/job/${JOB_ID}`]);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Execution relaunched-one');
    expect(aws.sfn.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input.executionArn)).toEqual([ARN, ARN]);
  });

  it('writes the sandbox timeline as HTML with --html', async () => {
    const run = await runFleet(['audit', String(JOB_ID), '--html', 'job.html']);

    expect(run.code).toBe(0);
    const html = run.files.get('job.html') ?? '';
    expect(html).toContain('<svg');
    expect(html).toContain(INTERRUPTED.runner);
    expect(html).toContain(SERVED.runner);
    // The summary is the audit's own timeline, not the sandbox's figures (leftovers, leaks) it cannot know
    expect(html).not.toContain('Leftovers');
    expect(html).not.toContain('Secrets leaked');
  });

  it('derives each runner\'s phases from the history: minting, starting, running, interrupted, cleaning up', () => {
    const report = buildAuditReport([{ executionArn: ARN, events: interruptedThenServedHistory() }], 'job');

    expect(report.runners.map((r) => [r.runner, r.outcome, r.phases.map((p) => p.kind)])).toEqual([
      [INTERRUPTED.runner, 'spot-interrupted', ['minting', 'starting', 'running-job', 'interrupted', 'cleaning-up']],
      [SERVED.runner, 'served-job', ['minting', 'starting', 'running-job', 'cleaning-up']],
    ]);
    expect(report.summary).toMatchObject({ runnersLaunched: 2, spotInterruptions: 1, relaunches: 1, executions: 1 });
  });

  it('fails when no recent execution ran the job, telling how to search further', async () => {
    const run = await runFleet(['audit', '12345', '--search', '4']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('No execution for job 12345 among the 4 most recent');
    expect(run.stderr).toContain('--search');
  });

  it('rejects a target that is neither an ARN, a job id nor a job URL with exit code 2', async () => {
    const run = await runFleet(['audit', 'yesterday']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"yesterday" is neither an execution ARN');
  });

  it('recognizes handoff executions by name', () => {
    expect(parseAuditTarget(executionArn('job-7-runner-2-handoff'))).toEqual({ kind: 'execution', executionArn: executionArn('job-7-runner-2-handoff') });
  });
});
