// `npx fleet launch|status|audit` against the sandbox: the CLI's own code, with Step Functions and CloudFormation
// fakes over a LocalFleet that runs the real lifecycle definition, a fake GitHub and a simulated ECS.
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { main, type FleetDeps } from '../../cli/fleet';
import { FakeCloudFormation } from '../../sandbox/fake-aws/cloudformation';
import { scriptedPlans } from '../../sandbox/fake-aws/ecs';
import { FakeStepFunctions } from '../../sandbox/fake-aws/step-functions';
import { LocalFleet } from '../../sandbox/local-fleet';
import type { LifecycleState } from '../../statemachine/contracts';

let fleet: LocalFleet;
let sfn: FakeStepFunctions;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  files: Map<string, string>;
}

async function fleetCli(argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const files = new Map<string, string>();
  const cloudFormation = new FakeCloudFormation();
  const deps: Partial<FleetDeps> = {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    clients: () => ({ sfn: sfn as unknown as SFNClient, cloudFormation: cloudFormation as unknown as CloudFormationClient }),
    writeFile: (path, content) => {
      files.set(path, content);
      return Promise.resolve();
    },
  };
  const code = await main(argv, deps);
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), files };
}

beforeEach(async () => {
  fleet = await LocalFleet.start({ ecs: { idleTimeoutMs: 400 } });
  sfn = new FakeStepFunctions(fleet);
});

afterEach(async () => {
  await fleet.stop();
});

/** A job queued on the fake GitHub: its webhook goes through the relay and the rule to an execution. */
async function jobInterruptedThenServed() {
  fleet.ecs.planner = scriptedPlans({ kind: 'interrupted-before-job', afterMs: 20 }, { kind: 'normal' });
  const job = fleet.queueJob({ repo: 'hello-world', labels: ['self-hosted', 'fargate-small'], durationMs: 30 });
  await fleet.settled();
  return job;
}

describe('fleet CLI against the sandbox', () => {
  it('status lists the job, its runner and outcome Done', async () => {
    const job = await jobInterruptedThenServed();
    const served = fleet.executions.find((e) => (e.output as LifecycleState | undefined)?.request?.jobId === job.id);
    expect(served?.status).toBe('SUCCEEDED');

    const run = await fleetCli(['status']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const row = run.stdout.split('\n').find((line) => line.includes(` ${job.id} `));
    expect(row).toBeDefined();
    expect(row).toContain('octo-org/hello-world');
    expect(row).toContain(`ecs-${job.id}-2`);
    expect(row).toMatch(/ small +on-demand|small +spot/);
    expect(row).toMatch(/ 2 +Done /);
  });

  it('status --json reads every execution of the fleet, newest first', async () => {
    await jobInterruptedThenServed();
    const run = await fleetCli(['status', '--json']);

    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as { executionArn: string; startedAt: string; outcome: string }[];
    expect(rows.map((r) => r.executionArn).sort()).toEqual(fleet.executions.map((e) => e.executionArn).sort());
    const starts = rows.map((r) => Date.parse(r.startedAt));
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
  });

  it('audit <job id> tells the story: both runners, the interruption, the relaunch and the outcome', async () => {
    const job = await jobInterruptedThenServed();

    const run = await fleetCli(['audit', String(job.id)]);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`execution started for job ${job.id} in octo-org/hello-world`);
    expect(run.stdout).toMatch(/!! Run runner failed: States.TaskFailed \(SpotInterruption/);
    expect(run.stdout).toMatch(/-> Mint token {2}\(relaunch, attempt 2\)/);
    expect(run.stdout).toMatch(new RegExp(`1\\. ecs-${job.id}-1  class small, spot \\(FARGATE_SPOT\\): spot-interrupted`));
    expect(run.stdout).toMatch(new RegExp(`2\\. ecs-${job.id}-2  class small, [a-z-]+ \\(FARGATE(_SPOT)?\\): served-job`));
    expect(run.stdout).toContain('https://local-1.console.aws.amazon.com/ecs/v2/clusters/runners/tasks/');
    expect(run.stdout).toContain(`Outcome: Done, job served by ecs-${job.id}-2; 1 Spot interruption, 1 relaunch`);
    // AND what the developer waited: queued, then the serving runner's containers started, then the job started
    expect(run.stdout).toMatch(/Job queued [0-9-]+ [0-9:]+ UTC → runner started \+.+ → job started \+/);
  });

  it('audit --html draws the sandbox timeline of the job', async () => {
    const job = await jobInterruptedThenServed();

    const run = await fleetCli(['audit', String(job.id), '--html', 'job.html']);

    expect(run.code).toBe(0);
    const html = run.files.get('job.html') ?? '';
    expect(html).toContain('<svg');
    expect(html).toContain(`ecs-${job.id}-1`);
    expect(html).toContain(`ecs-${job.id}-2`);
  });

  it('launch starts a sandbox execution that ends Done, and status shows it running then done', async () => {
    const run = await fleetCli(['launch', '--repo', 'octo-org/hello-world', '--labels', 'fargate-small']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const arn = /Started (\S+)/.exec(run.stdout)?.[1] ?? '';
    expect(arn).toMatch(/^arn:aws:states:local-1:000000000000:execution:RunnerLifecycle:manual-hello-world-/);
    expect(run.stdout).toContain(`https://local-1.console.aws.amazon.com/states/home?region=local-1#/v2/executions/details/${arn}`);

    const whileRunning = await fleetCli(['status', '--json']);
    expect(JSON.parse(whileRunning.stdout)).toEqual([expect.objectContaining({ executionArn: arn, job: 'manual', outcome: 'running' })]);

    await fleet.settled();
    const result = fleet.executions.find((e) => e.executionArn === arn);
    expect(result?.status).toBe('SUCCEEDED');
    expect(result?.path.at(-1)).toBe('Done');
    const after = await fleetCli(['status', '--json']);
    expect(JSON.parse(after.stdout)).toEqual([expect.objectContaining({ executionArn: arn, job: 'manual', outcome: 'Done', attempts: 1 })]);

    const audit = await fleetCli(['audit', arn]);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toContain('execution started for a manual launch in octo-org/hello-world');
    expect(audit.stdout).toContain('Outcome: Done');
  });

  it('fails clearly when the stack is not the sandbox\'s', async () => {
    const run = await fleetCli(['status', '--stack', 'SomeOtherStack']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Stack "SomeOtherStack" not found');
  });
});
