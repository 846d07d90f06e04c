// The sweeper against the sandbox's fakes: the real GitHub client over HTTP to the fake GitHub on 127.0.0.1, the
// fake S3 and ECS behind the SDK seams. Leftovers are made the way a crashed execution makes them (a claim, a
// registration, a JIT file, a slot, a task), and every test reads the fakes' state afterwards.
import { DescribeTasksCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createGitHubClient, type GitHubClient, type RunnerTarget } from '../../../lambdas/github/client';
import { claimObjectKey, jitObjectKey } from '../../../lambdas/lifecycle/runner-name';
import { createMetrics } from '../../../lambdas/shared/metrics';
import type { SweeperConfig } from '../../../lambdas/sweeper/config';
import { sweep, SWEEPER_STOP_REASON, type SweepSummary } from '../../../lambdas/sweeper/sweep';
import { FakeEcs, scriptedPlans } from '../../../sandbox/fake-aws/ecs';
import { FakeS3 } from '../../../sandbox/fake-aws/s3';
import { createFakeGitHub, type FakeGitHub, type FakeGitHubOptions } from '../../../sandbox/fake-github';
import { JIT_CONFIG_VARIABLE, type GitHubScope, type SlotHolder } from '../../../statemachine/contracts';
import { captureLogs, testKeyPair, type LogCapture } from '../support/github-app';

const APP_ID = 424242;
const ORG = 'octo-org';
const REPO = 'hello-world';
const BUCKET = 'fleet-jit-configs';
const GRACE_SECONDS = 600;
const JIT_MAX_AGE_SECONDS = 3600;
const MAX_TASK_AGE_SECONDS = 6 * 3600;
const LABELS = ['self-hosted', 'linux', 'fargate'];
const MINUTE_MS = 60_000;

interface World {
  github: FakeGitHub;
  client: GitHubClient;
  s3: FakeS3;
  ecs: FakeEcs;
  logs: LogCapture;
  emf: string[];
  /** Every JIT config GitHub issued: none may appear in a log line. */
  jitConfigs: string[];
  advance(ms: number): void;
  now(): number;
  /** What Mint token leaves: the name's claim, the registration, and the JIT file (each optional). */
  register(name: string, options?: { claim?: boolean; jitFile?: boolean; target?: RunnerTarget }): Promise<{ runnerId: number; encodedJitConfig: string }>;
  putJitFile(name: string): Promise<void>;
  putSlot(key: string, holder: SlotHolder): Promise<void>;
  run(overrides?: Partial<SweeperConfig> & { github?: GitHubClient; ecs?: Pick<ECSClient, 'send'> }): Promise<SweepSummary>;
  runnerNames(): string[];
  objectKeys(prefix: string): string[];
  task(arn: string): Promise<Task | undefined>;
}

let world: World;
let stopGitHub: () => Promise<void>;
afterEach(() => stopGitHub());

async function startWorld(options: { scope?: GitHubScope; faults?: FakeGitHubOptions['faults'] } = {}): Promise<World> {
  const { privateKey, publicKey } = testKeyPair();
  // The fake GitHub keeps real time (the client signs its JWTs with the system clock); S3, ECS and the sweep share this one.
  let nowMs = Date.parse('2026-12-04T10:00:00Z');
  const now = () => nowMs;
  const github = createFakeGitHub({
    appId: APP_ID,
    appPublicKey: publicKey,
    installations: [{ id: 42, account: ORG, repositories: [`${ORG}/${REPO}`, `${ORG}/other-repo`] }],
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const { url } = await github.start();
  stopGitHub = () => github.stop();
  const logs = captureLogs();
  const client = createGitHubClient({ appId: APP_ID, privateKey: () => Promise.resolve(privateKey), baseUrl: `${url}/api/v3`, logger: logs.logger, rateLimitWaitBudgetMs: 0 });
  const s3 = new FakeS3(now);
  const ecs = new FakeEcs({ github, s3, now, startDelayMs: 0 });
  const emf: string[] = [];
  const jitConfigs: string[] = [];
  const orgTarget: RunnerTarget = { type: 'organization', org: ORG, installationId: 42 };
  const scope: GitHubScope = options.scope ?? { type: 'organization', organization: ORG, runnerGroupId: 1 };

  const putJitFile = async (name: string, config = 'never-issued') => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: jitObjectKey(name), Body: `${JIT_CONFIG_VARIABLE}=${config}\n` }));
  };
  return {
    github,
    client,
    s3,
    ecs,
    logs,
    emf,
    jitConfigs,
    advance: (ms) => (nowMs += ms),
    now,
    async register(name, { claim = true, jitFile = true, target = orgTarget } = {}) {
      // The claim's body does not matter to the sweeper: only when it was written (Mint token's start).
      if (claim) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: claimObjectKey(name), Body: `arn:aws:states:local-1:000000000000:execution:RunnerLifecycle:${name}`, IfNoneMatch: '*' }));
      const config = await client.generateJitConfig(target, { name, labels: LABELS, runnerGroupId: 1, workFolder: '_work' });
      jitConfigs.push(config.encodedJitConfig);
      if (jitFile) await putJitFile(name, config.encodedJitConfig);
      return { runnerId: config.runnerId, encodedJitConfig: config.encodedJitConfig };
    },
    putJitFile: (name) => putJitFile(name),
    async putSlot(key, holder) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify(holder), IfNoneMatch: '*' }));
    },
    run: ({ github: gitHubClient, ecs: ecsClient, ...config } = {}) =>
      sweep({
        github: gitHubClient ?? client,
        s3,
        ecs: ecsClient ?? ecs,
        config: {
          gitHubScope: scope,
          runnerNamePrefix: 'ecs',
          jitBucketArn: `arn:aws:s3:::${BUCKET}`,
          clusterArn: 'arn:aws:ecs:local-1:000000000000:cluster/runners',
          graceSeconds: GRACE_SECONDS,
          jitFileMaxAgeSeconds: JIT_MAX_AGE_SECONDS,
          maxTaskAgeSeconds: MAX_TASK_AGE_SECONDS,
          maxActionsPerRun: 100,
          maxRunnerPages: 10,
          ...config,
        },
        logger: logs.logger,
        metrics: createMetrics((line) => emf.push(line), now),
        now,
      }),
    runnerNames: () => github.runners().map((runner) => runner.name).sort(),
    objectKeys: (prefix) => s3.keys().filter((key) => key.startsWith(`${BUCKET}/${prefix}`)).map((key) => key.slice(BUCKET.length + 1)).sort(),
    async task(arn) {
      const answer = (await ecs.send(new DescribeTasksCommand({ tasks: [arn] }))) as { tasks: Task[] };
      return answer.tasks[0];
    },
  };
}

const anHourAndMore = JIT_MAX_AGE_SECONDS * 1000 + MINUTE_MS;

describe('sweep: runner registrations', () => {
  beforeEach(async () => {
    world = await startWorld();
  });

  it('deletes an offline registration of ours whose claim is past the grace period, and one with no claim left', async () => {
    await world.register('ecs-101-1', { jitFile: false });
    await world.register('ecs-102-1', { claim: false, jitFile: false });
    world.advance(GRACE_SECONDS * 1000 + 1000);

    const summary = await world.run();

    expect(world.runnerNames()).toEqual([]);
    expect(summary.registrations).toEqual({ found: 2, deleted: 2, busy: 0 });
    expect(summary).toMatchObject({ errors: 0, truncated: false });
    // The claim outlives the runner: it still stops late duplicates of the event.
    expect(world.objectKeys('claims/')).toEqual(['claims/ecs-101-1']);
  });

  it('leaves a registration alone while its claim is within the grace period (Mint token may be starting it)', async () => {
    await world.register('ecs-103-1');
    world.advance(GRACE_SECONDS * 1000 - 1000);

    const summary = await world.run();

    expect(world.runnerNames()).toEqual(['ecs-103-1']);
    expect(summary.registrations.found).toBe(0);
  });

  it('leaves online and busy runners alone', async () => {
    const first = await world.register('ecs-201-1', { claim: false });
    const second = await world.register('ecs-202-1', { claim: false });
    world.github.connectRunner(first.encodedJitConfig);
    // GitHub gives the job to the runner that is idle and online (ecs-201-1); ecs-202-1 then comes online, idle.
    world.github.queueJob({ owner: ORG, repo: REPO, labels: ['self-hosted', 'fargate'], durationMs: 60_000 });
    world.github.connectRunner(second.encodedJitConfig);
    world.advance(anHourAndMore);

    const summary = await world.run();

    expect(world.github.runners().map(({ name, status, busy: isBusy }) => ({ name, status, busy: isBusy }))).toEqual([
      { name: 'ecs-201-1', status: 'online', busy: true },
      { name: 'ecs-202-1', status: 'online', busy: false },
    ]);
    expect(summary.registrations).toEqual({ found: 0, deleted: 0, busy: 0 });
    expect(world.github.stats().calls['DELETE /orgs/{org}/actions/runners/{runner_id}']).toBeUndefined();
  });

  it('leaves runners that are not ours alone, whatever their state', async () => {
    for (const name of ['gha-301-1', 'ecs-dev-302-1', 'my-laptop']) await world.register(name, { claim: false, jitFile: false });
    world.advance(anHourAndMore);

    const summary = await world.run();

    expect(world.runnerNames()).toEqual(['ecs-dev-302-1', 'gha-301-1', 'my-laptop']);
    expect(summary.registrations.found).toBe(0);
  });

  it('leaves the registration, JIT file and slot of a runner with a live task alone', async () => {
    await world.register('ecs-401-1');
    await world.putSlot('slots/fargate/0', { runner: 'ecs-401-1', executionArn: 'arn:aws:states:local-1:000000000000:execution:RunnerLifecycle:a' });
    world.ecs.startLeftoverTask('ecs-401-1');
    world.advance(anHourAndMore);

    const summary = await world.run();

    expect(world.runnerNames()).toEqual(['ecs-401-1']);
    expect(world.objectKeys('jit/')).toEqual(['jit/ecs-401-1.env']);
    expect(world.objectKeys('slots/')).toEqual(['slots/fargate/0']);
    expect(summary).toMatchObject({ registrations: { found: 0 }, jitFiles: { found: 0 }, slots: { found: 0 }, tasks: { found: 0 } });
  });

  it('counts a runner that took a job since the listing as busy and keeps it', async () => {
    const runner = await world.register('ecs-501-1', { claim: false, jitFile: false });
    world.github.queueJob({ owner: ORG, repo: REPO, labels: ['fargate'], durationMs: 60_000 });
    world.github.connectRunner(runner.encodedJitConfig);
    // The listing was taken a moment before the runner came online and took the job.
    const staleList: GitHubClient = {
      ...world.client,
      listRunners: async (target, pages) => (await world.client.listRunners(target, pages)).map((r) => ({ ...r, status: 'offline', busy: false })),
    };

    const summary = await world.run({ github: staleList });

    expect(world.runnerNames()).toEqual(['ecs-501-1']);
    expect(summary.registrations).toEqual({ found: 1, deleted: 0, busy: 1 });
    expect(summary.errors).toBe(0);
  });

  it('leaves an offline registration that GitHub still reports busy alone', async () => {
    await world.register('ecs-503-1', { claim: false, jitFile: false });
    // A runner that lost its connection mid-job stays busy until GitHub gives the job up.
    const busyOffline: GitHubClient = { ...world.client, listRunners: async (target, pages) => (await world.client.listRunners(target, pages)).map((r) => ({ ...r, busy: true })) };

    const summary = await world.run({ github: busyOffline });

    expect(world.runnerNames()).toEqual(['ecs-503-1']);
    expect(summary.registrations).toEqual({ found: 0, deleted: 0, busy: 0 });
  });

  it('takes a registration that is already gone as done (404)', async () => {
    const ghost = { id: 987_654, name: 'ecs-502-1', status: 'offline', busy: false };
    const withGhost: GitHubClient = { ...world.client, listRunners: async (target, pages) => [...(await world.client.listRunners(target, pages)), ghost] };

    const summary = await world.run({ github: withGhost });

    expect(summary.registrations).toEqual({ found: 1, deleted: 1, busy: 0 });
    expect(summary.errors).toBe(0);
  });
});

describe('sweep: repository scope', () => {
  it('lists and cleans every configured repository', async () => {
    world = await startWorld({ scope: { type: 'repositories', repositories: [`${ORG}/${REPO}`, `${ORG}/other-repo`] } });
    await world.register('ecs-601-1', { target: { type: 'repository', owner: ORG, repo: REPO, installationId: 42 } });
    await world.register('ecs-602-1', { target: { type: 'repository', owner: ORG, repo: 'other-repo', installationId: 42 } });
    world.advance(GRACE_SECONDS * 1000 + 1000);

    const summary = await world.run();

    expect(world.runnerNames()).toEqual([]);
    expect(summary.registrations).toEqual({ found: 2, deleted: 2, busy: 0 });
    expect(world.github.stats().calls).toMatchObject({ 'GET /repos/{owner}/{repo}/actions/runners': 2, 'DELETE /repos/{owner}/{repo}/actions/runners/{runner_id}': 2 });
  });
});

describe('sweep: JIT files and slots', () => {
  beforeEach(async () => {
    world = await startWorld();
  });

  it('deletes a JIT file older than its maximum age and keeps a young one', async () => {
    await world.putJitFile('ecs-701-1');
    world.advance(anHourAndMore);
    await world.putJitFile('ecs-702-1');

    const summary = await world.run();

    expect(world.objectKeys('jit/')).toEqual(['jit/ecs-702-1.env']);
    expect(summary.jitFiles).toEqual({ found: 1, deleted: 1 });
  });

  it('releases a stale slot whose runner has no task, and keeps a held one and a young one', async () => {
    const holder = (runner: string): SlotHolder => ({ runner, executionArn: `arn:aws:states:local-1:000000000000:execution:RunnerLifecycle:${runner}` });
    await world.putSlot('slots/fargate/0', holder('ecs-801-1'));
    await world.putSlot('slots/fargate/1', holder('ecs-802-1'));
    world.ecs.startLeftoverTask('ecs-802-1');
    world.advance(GRACE_SECONDS * 1000 + 1000);
    await world.putSlot('slots/fargate/2', holder('ecs-803-1'));

    const summary = await world.run();

    expect(world.objectKeys('slots/')).toEqual(['slots/fargate/1', 'slots/fargate/2']);
    expect(summary.slots).toEqual({ found: 1, released: 1 });
  });

  it('keeps a slot that another launch took between the read and the release', async () => {
    const old: SlotHolder = { runner: 'ecs-811-1', executionArn: 'arn:aws:states:local-1:000000000000:execution:RunnerLifecycle:old' };
    const next: SlotHolder = { runner: 'ecs-812-1', executionArn: 'arn:aws:states:local-1:000000000000:execution:RunnerLifecycle:next' };
    await world.putSlot('slots/fargate/0', old);
    world.advance(GRACE_SECONDS * 1000 + 1000);
    const send = world.s3.send;
    world.s3.send = async (command) => {
      const answer = await send(command);
      if (command instanceof GetObjectCommand && command.input.Key === 'slots/fargate/0') {
        // Meanwhile Clean up of the old holder released it and a new launch took it.
        await send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'slots/fargate/0' }));
        await world.putSlot('slots/fargate/0', next);
      }
      return answer;
    };

    const summary = await world.run();

    const body = (await send(new GetObjectCommand({ Bucket: BUCKET, Key: 'slots/fargate/0' }))) as { Body: { transformToString(): Promise<string> } };
    expect(JSON.parse(await body.Body.transformToString())).toEqual(next);
    expect(summary).toMatchObject({ slots: { found: 1, released: 0 }, errors: 0 });
  });
});

describe('sweep: runner tasks', () => {
  beforeEach(async () => {
    world = await startWorld();
  });

  it('stops a task of ours older than the longest job, and leaves a young one and a foreign one running', async () => {
    const old = world.ecs.startLeftoverTask('ecs-901-1');
    const foreign = world.ecs.startLeftoverTask('ecs/deploy-service');
    world.advance(MAX_TASK_AGE_SECONDS * 1000 + 1000);
    const young = world.ecs.startLeftoverTask('ecs-902-1');

    const summary = await world.run();

    expect(world.ecs.running().map((task) => task.taskArn)).toEqual([foreign.taskArn, young.taskArn]);
    expect(await world.task(old.taskArn)).toMatchObject({ lastStatus: 'STOPPED', stoppedReason: SWEEPER_STOP_REASON });
    expect(summary.tasks).toEqual({ found: 1, stopped: 1 });
  });

  it('stops a hung runner of a live execution, whose runTask.sync then ends', async () => {
    const name = 'ecs-903-1';
    await world.putJitFile(name);
    world.ecs.planner = scriptedPlans({ kind: 'hangs' });
    const sync = world.ecs.runTaskSync(
      {
        Cluster: 'runners',
        TaskDefinition: 'runner:1',
        CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT' }],
        Overrides: { ContainerOverrides: [{ Name: 'runner', EnvironmentFiles: [{ Type: 's3', Value: `arn:aws:s3:::${BUCKET}/${jitObjectKey(name)}` }] }] },
        StartedBy: name,
        Tags: [],
      },
      'Run runner',
    );
    const ended = sync.then(
      () => 'exited',
      (error: Error) => error.message,
    );
    world.advance(MAX_TASK_AGE_SECONDS * 1000 + 1000);

    const summary = await world.run();

    expect(summary.tasks).toEqual({ found: 1, stopped: 1 });
    expect(JSON.parse(await ended)).toMatchObject({ StopCode: 'UserInitiated', StoppedReason: SWEEPER_STOP_REASON });
  });

  it('lists every page of tasks and describes them 100 at a time', async () => {
    for (let i = 0; i < 150; i += 1) world.ecs.startLeftoverTask(`other-${i}`);
    world.advance(MAX_TASK_AGE_SECONDS * 1000 + 1000);
    const last = world.ecs.startLeftoverTask('ecs-904-1', { createdAtMs: world.now() - MAX_TASK_AGE_SECONDS * 1000 - 1 });

    const summary = await world.run();

    expect(world.ecs.calls).toMatchObject({ ListTasks: 2, DescribeTasks: 2, StopTask: 1 });
    expect(world.ecs.running().map((task) => task.runnerName)).toEqual(Array.from({ length: 150 }, (_, i) => `other-${i}`));
    expect(last.stopCode).toBe('UserInitiated');
    expect(summary.tasks).toEqual({ found: 1, stopped: 1 });
  });

  it("leaves a stopped task's registration and JIT file for the next run, which removes them", async () => {
    await world.register('ecs-905-1');
    world.ecs.startLeftoverTask('ecs-905-1');
    world.advance(MAX_TASK_AGE_SECONDS * 1000 + 1000);

    const first = await world.run();
    const afterFirst = world.runnerNames();
    const second = await world.run();

    expect(first).toMatchObject({ tasks: { stopped: 1 }, registrations: { found: 0 }, jitFiles: { found: 0 } });
    expect(afterFirst).toEqual(['ecs-905-1']);
    expect(second).toMatchObject({ tasks: { found: 0 }, registrations: { deleted: 1 }, jitFiles: { deleted: 1 } });
    expect(world.runnerNames()).toEqual([]);
    expect(world.objectKeys('jit/')).toEqual([]);
  });
});

describe('sweep: bounded work', () => {
  beforeEach(async () => {
    world = await startWorld();
  });

  it('does at most maxActionsPerRun deletions and stops, tasks first, and the next run does the rest', async () => {
    world.ecs.startLeftoverTask('ecs-1001-1');
    world.ecs.startLeftoverTask('ecs-1002-1');
    for (const name of ['ecs-1003-1', 'ecs-1004-1']) await world.register(name, { jitFile: false });
    for (const name of ['ecs-1005-1', 'ecs-1006-1']) await world.putJitFile(name);
    world.advance(MAX_TASK_AGE_SECONDS * 1000 + 1000);

    const first = await world.run({ maxActionsPerRun: 3 });
    const leftAfterFirst = { running: world.ecs.running().length, runners: world.runnerNames(), jitFiles: world.objectKeys('jit/') };
    const second = await world.run({ maxActionsPerRun: 3 });

    expect(first).toMatchObject({ tasks: { found: 2, stopped: 2 }, registrations: { deleted: 1 }, jitFiles: { found: 2, deleted: 0 }, truncated: true });
    expect(leftAfterFirst).toEqual({ running: 0, runners: ['ecs-1004-1'], jitFiles: ['jit/ecs-1005-1.env', 'jit/ecs-1006-1.env'] });
    expect(second).toMatchObject({ tasks: { found: 0 }, registrations: { deleted: 1 }, jitFiles: { deleted: 2 }, truncated: false });
    expect(world.runnerNames()).toEqual([]);
    expect(world.objectKeys('jit/')).toEqual([]);
  });
});

describe('sweep: faults', () => {
  it('goes on with S3 and ECS when GitHub answers 5xx to the runner listing', async () => {
    world = await startWorld({ faults: { serverErrorRateByRoute: { 'GET /orgs/{org}/actions/runners': 1 } } });
    await world.register('ecs-1101-1');
    world.ecs.startLeftoverTask('ecs-1102-1');
    world.advance(MAX_TASK_AGE_SECONDS * 1000 + 1000);

    const summary = await world.run();

    expect(world.runnerNames()).toEqual(['ecs-1101-1']);
    expect(world.objectKeys('jit/')).toEqual([]);
    expect(world.ecs.running()).toEqual([]);
    expect(summary).toMatchObject({ registrations: { found: 0 }, jitFiles: { deleted: 1 }, tasks: { stopped: 1 }, errors: 1 });
    expect(world.logs.text()).toContain('GitHubUnavailable');
  });

  it('stops calling GitHub after a 5xx on a deletion, and leaves the other registrations for the next run', async () => {
    world = await startWorld({ faults: { serverErrorRateByRoute: { 'DELETE /orgs/{org}/actions/runners/{runner_id}': 1 } } });
    for (const name of ['ecs-1111-1', 'ecs-1112-1']) await world.register(name, { jitFile: false });
    world.advance(GRACE_SECONDS * 1000 + 1000);

    const summary = await world.run();

    expect(world.runnerNames()).toEqual(['ecs-1111-1', 'ecs-1112-1']);
    expect(world.github.stats().calls['DELETE /orgs/{org}/actions/runners/{runner_id}']).toBe(1);
    expect(summary).toMatchObject({ registrations: { found: 1, deleted: 0 }, errors: 1 });
  });

  it('goes on with S3 and ECS when GitHub rate-limits, without waiting and without another GitHub call', async () => {
    world = await startWorld();
    await world.register('ecs-1201-1');
    world.ecs.startLeftoverTask('ecs-1202-1');
    world.advance(MAX_TASK_AGE_SECONDS * 1000 + 1000);
    world.github.forceRateLimit({ kind: 'secondary', durationMs: 60_000 });
    const callsBefore = Object.values(world.github.stats().calls).reduce((a, b) => a + b, 0);

    const summary = await world.run();

    expect(world.runnerNames()).toEqual(['ecs-1201-1']);
    expect(summary).toMatchObject({ jitFiles: { deleted: 1 }, tasks: { stopped: 1 }, errors: 1 });
    expect(Object.values(world.github.stats().calls).reduce((a, b) => a + b, 0) - callsBefore).toBe(1);
    expect(world.logs.text()).toContain('GitHubRateLimited');
  });

  it('logs and counts a failed deletion and goes on with the next item', async () => {
    world = await startWorld();
    for (const name of ['ecs-1301-1', 'ecs-1302-1', 'ecs-1303-1']) await world.putJitFile(name);
    world.advance(anHourAndMore);
    const send = world.s3.send;
    world.s3.send = (command) =>
      command instanceof DeleteObjectCommand && command.input.Key === 'jit/ecs-1302-1.env'
        ? Promise.reject(Object.assign(new Error('We encountered an internal error. Please try again.'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } }))
        : send(command);

    const summary = await world.run();

    expect(world.objectKeys('jit/')).toEqual(['jit/ecs-1302-1.env']);
    expect(summary).toMatchObject({ jitFiles: { found: 3, deleted: 2 }, errors: 1 });
    expect(world.logs.text()).toContain('InternalError');
  });

  it('touches nothing when the task list cannot be read (it decides what is live)', async () => {
    world = await startWorld();
    await world.register('ecs-1401-1');
    world.advance(anHourAndMore);
    const ecsDown: Pick<ECSClient, 'send'> = { send: () => Promise.reject(Object.assign(new Error('Service unavailable'), { name: 'ServerException' })) };

    const summary = await world.run({ ecs: ecsDown });

    expect(world.runnerNames()).toEqual(['ecs-1401-1']);
    expect(world.objectKeys('jit/')).toEqual(['jit/ecs-1401-1.env']);
    expect(summary).toMatchObject({ registrations: { found: 0 }, jitFiles: { found: 0 }, errors: 1 });
  });
});

describe('sweep: report', () => {
  beforeEach(async () => {
    world = await startWorld();
  });

  it('emits the found counts as dimension-less EMF metrics and logs one summary line', async () => {
    await world.register('ecs-1501-1');
    await world.putJitFile('ecs-1502-1');
    world.ecs.startLeftoverTask('ecs-1503-1');
    await world.putSlot('slots/fargate/3', { runner: 'ecs-1504-1', executionArn: 'arn:aws:states:local-1:000000000000:execution:RunnerLifecycle:x' });
    world.advance(MAX_TASK_AGE_SECONDS * 1000 + 1000);

    const summary = await world.run();

    expect(world.emf).toHaveLength(1);
    const line = JSON.parse(world.emf[0] ?? '{}') as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } };
    expect(line).toMatchObject({ LeftoverRegistrations: 1, LeftoverJitFiles: 2, LeftoverSlots: 1, LeftoverTasks: 1 });
    expect(line._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'GitHubRunners', Dimensions: [[]] });
    expect(line._aws.CloudWatchMetrics[0]?.Metrics).toEqual(expect.arrayContaining([{ Name: 'LeftoverRegistrations', Unit: 'Count' }, { Name: 'LeftoverTasks', Unit: 'Count' }]));
    const finished = world.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === 'Sweep finished');
    expect(finished).toEqual([expect.objectContaining({ level: 'info', ...summary })]);
  });

  it('never reads a JIT file and never logs a JIT config', async () => {
    await world.register('ecs-1601-1');
    await world.register('ecs-1602-1');
    world.advance(anHourAndMore);
    const read: string[] = [];
    const send = world.s3.send;
    world.s3.send = (command) => {
      if (command instanceof GetObjectCommand) read.push(command.input.Key ?? '');
      return send(command);
    };

    const summary = await world.run();

    expect(summary).toMatchObject({ registrations: { deleted: 2 }, jitFiles: { deleted: 2 } });
    expect(read.filter((key) => key.startsWith('jit/'))).toEqual([]);
    expect(world.jitConfigs).toHaveLength(2);
    for (const config of world.jitConfigs) expect(world.logs.text()).not.toContain(config);
  });
});
