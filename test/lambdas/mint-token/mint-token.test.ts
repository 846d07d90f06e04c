import { inspect } from 'node:util';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import nock from 'nock';
import type { LifecycleState } from '../../../statemachine/contracts';
import type { GitHubClient } from '../../../lambdas/github/client';
import { mintToken, type MintTokenDeps } from '../../../lambdas/mint-token/mint-token';
import { InvalidLaunchRequestError, JobNotQueuedError, NoMatchingRunnerClassError, RunnerCapReachedError, RunnerNameTakenError } from '../../../lambdas/shared/errors';
import { aGitHubClient, captureLogs, expectTokenExchange, type LogCapture } from '../support/github-app';
import { API_URL, ENCODED_JIT_CONFIG, errorBodies, INSTALLATION_TOKEN, installationResponse, jitConfigResponse, jobResponse, runnersResponse } from '../support/github-fixtures';
import { aLaunchRequest, aLifecycleState, aManualRequest, aRunnerClass, aStepsConfig, EXECUTION, EXECUTION_ARN, JIT_BUCKET_ARN, withoutRunner } from '../support/builders';
import { claimHeldBy, OTHER_EXECUTION_ARN, s3Error } from '../support/s3';
import { useNock } from '../support/nock';

const GENERATE = '/repos/octo-org/hello-world/actions/runners/generate-jitconfig';
const CLAIM = { Bucket: 'fleet-jit-configs', Key: 'claims/ecs-1234567-1' };
const s3 = new S3Client({ region: 'eu-west-1' });
const s3Mock = mockClient(s3);
let logs: LogCapture;
let github: GitHubClient;

function deps(overrides: Partial<MintTokenDeps> = {}): MintTokenDeps {
  return { github, s3, config: aStepsConfig(), logger: logs.logger, ...overrides };
}

type GenerateBody = {
  name: string;
  labels: string[];
  runner_group_id: number;
  work_folder: string;
};

/** A retry of this execution asks whether the job still waits (it may have waited for a runner slot). */
function expectJobStillQueued() {
  return nock(API_URL).get('/repos/octo-org/hello-world/actions/jobs/1234567').reply(200, jobResponse({ status: 'queued' }));
}

function expectGenerate(name: string, body?: GenerateBody) {
  return (body ? nock(API_URL).post(GENERATE, body) : nock(API_URL).post(GENERATE)).reply(201, jitConfigResponse(name, 23));
}

/** Every slot read answers that `runner` holds it (its release reads it before the conditional delete). */
function slotsHeldBy(runner: string) {
  s3Mock.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    if (!input.Key.startsWith('slots/')) throw s3Error('NoSuchKey', 404);
    return { Body: { transformToString: () => Promise.resolve(JSON.stringify({ runner, executionArn: EXECUTION_ARN })) }, ETag: '"slot-etag"' };
  });
}

/** The slot index in the recorded `s3 put slots/<class>/<index>` call. */
function slotIndexOf(calls: string[]): string {
  return calls.find((call) => call.startsWith('s3 put slots/'))?.split('/').at(-1) ?? 'none';
}

/** Everything that leaves Mint token: the state, any error, every log line. */
function expectNoCredentialIn(...values: unknown[]) {
  const text = [...values.map((value) => inspect(value, { depth: 10 })), logs.text()].join('\n');
  expect(text).not.toContain(ENCODED_JIT_CONFIG);
  expect(text).not.toContain(INSTALLATION_TOKEN);
}

useNock();
beforeEach(() => {
  s3Mock.reset();
  s3Mock.on(PutObjectCommand).resolves({});
  s3Mock.on(ListObjectsV2Command).resolves({ Contents: [] });
  logs = captureLogs();
  github = aGitHubClient({ logger: logs.logger });
});

describe('mintToken on a first attempt', () => {
  it('registers the runner, writes its JIT file to S3 and returns everything Run runner needs, without the JIT config', async () => {
    // GIVEN a queued job's launch request for the Fargate class
    expectTokenExchange();
    expectGenerate('ecs-1234567-1', { name: 'ecs-1234567-1', labels: ['fargate', 'self-hosted', 'linux', 'x64'], runner_group_id: 1, work_folder: '_work' });

    // WHEN Mint token runs
    const state = await mintToken(aLaunchRequest(), EXECUTION, deps());

    // THEN the runner name was claimed for this execution, create-only
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
      ...CLAIM,
      Body: JSON.stringify({ executionArn: EXECUTION_ARN, request: aLaunchRequest(), runnerClass: 'fargate' }),
      IfNoneMatch: '*',
      ServerSideEncryption: 'AES256',
    });
    // AND the JIT config went to S3, encrypted, as an environment file
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'fleet-jit-configs',
      Key: 'jit/ecs-1234567-1.env',
      Body: `RUNNER_JIT_CONFIG=${ENCODED_JIT_CONFIG}\n`,
      ServerSideEncryption: 'AES256',
    });
    // AND the state references it by ARN, on Spot capacity, with the tags that trace the task back
    expect(state).toEqual({
      request: aLaunchRequest(),
      attempt: 1,
      interruptions: 0,
      onDemand: false,
      attempts: [],
      runner: {
        name: 'ecs-1234567-1',
        id: 23,
        runnerClass: 'fargate',
        slot: expect.stringMatching(/^slots\/fargate\/\d+$/) as string,
        taskDefinitionArn: aRunnerClass().taskDefinitionArn,
        capacity: 'spot',
        capacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
        onDemandCapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
        jitConfigArn: `${JIT_BUCKET_ARN}/jit/ecs-1234567-1.env`,
        tags: [
          { Key: 'github:repository', Value: 'octo-org/hello-world' },
          { Key: 'github:job-id', Value: '1234567' },
          { Key: 'github:run-id', Value: '7654321' },
          { Key: 'fleet:runner', Value: 'ecs-1234567-1' },
          { Key: 'fleet:runner-class', Value: 'fargate' },
          { Key: 'fleet:execution', Value: EXECUTION_ARN },
        ],
      },
    });
    expectNoCredentialIn(state);
  });

  it('claims the runner name before it asks GitHub for the runner', async () => {
    // GIVEN S3 and GitHub that record the order of the calls
    const calls: string[] = [];
    s3Mock.on(PutObjectCommand).callsFake((input: { Key: string }) => {
      calls.push(`s3 put ${input.Key}`);
      return {};
    });
    expectTokenExchange();
    nock(API_URL)
      .post(GENERATE)
      .reply(201, () => {
        calls.push('github generate-jitconfig');
        return jitConfigResponse('ecs-1234567-1', 23);
      });

    // WHEN Mint token runs
    await mintToken(aLaunchRequest(), EXECUTION, deps());

    // THEN the claim came first, then the registration, then the JIT file
    expect(calls).toEqual(['s3 put claims/ecs-1234567-1', 's3 put slots/fargate/' + slotIndexOf(calls), 'github generate-jitconfig', 's3 put jit/ecs-1234567-1.env']);
    expect(s3Mock).not.toHaveReceivedCommand(GetObjectCommand);
  });

  it('makes exactly one GitHub call, generate-jitconfig, when the installation is known and its token cached', async () => {
    // GIVEN a warm token cache from an earlier launch in the same container
    expectTokenExchange();
    expectGenerate('ecs-1111111-1');
    await mintToken(aLaunchRequest({ jobId: 1111111 }), EXECUTION, deps());
    const before = github.callCounts();
    expectGenerate('ecs-2222222-1');

    // WHEN another job's runner is minted
    await mintToken(aLaunchRequest({ jobId: 2222222 }), EXECUTION, deps());

    // THEN the only new call is generate-jitconfig
    const after = github.callCounts();
    expect(after['POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig']).toBe(2);
    expect(after['POST /app/installations/{installation_id}/access_tokens']).toBe(before['POST /app/installations/{installation_id}/access_tokens']);
    expect(Object.values(after).reduce((sum, count) => sum + count, 0) - Object.values(before).reduce((sum, count) => sum + count, 0)).toBe(1);
  });

  it('looks the installation up when the request has none, and keeps it in the state for Clean up', async () => {
    nock(API_URL).get('/repos/octo-org/hello-world/installation').reply(200, installationResponse(42));
    expectTokenExchange(42);
    expectGenerate('ecs-1234567-1');
    const request = aLaunchRequest();
    delete request.installationId;

    const state = await mintToken(request, EXECUTION, deps());

    expect(state.request.installationId).toBe(42);
  });

  it('registers an organization runner in the configured runner group', async () => {
    expectTokenExchange();
    nock(API_URL)
      .post('/orgs/octo-org/actions/runners/generate-jitconfig', (body: { runner_group_id: number }) => body.runner_group_id === 4)
      .reply(201, jitConfigResponse('ecs-1234567-1', 23));

    const config = aStepsConfig({ gitHubScope: { type: 'organization', organization: 'octo-org', runnerGroupId: 4 } });
    await expect(mintToken(aLaunchRequest({ repo: 'any-repo' }), EXECUTION, deps({ config }))).resolves.toHaveProperty('runner.id', 23);
  });

  it('names a manual launch after its execution and tags no job', async () => {
    nock(API_URL).get('/repos/octo-org/hello-world/installation').reply(200, installationResponse());
    expectTokenExchange();
    nock(API_URL)
      .post(GENERATE, (body: { name: string }) => /^ecs-m[A-Za-z0-9_-]+-1$/.test(body.name))
      .reply(201, jitConfigResponse('manual', 23));

    const state = await mintToken(aManualRequest(), EXECUTION, deps());

    expect(state.runner?.tags.map((tag) => tag.Key)).toEqual(['github:repository', 'fleet:runner', 'fleet:runner-class', 'fleet:execution']);
  });

  it.each<[string, Parameters<typeof aRunnerClass>[0], Partial<LifecycleState>]>([
    ['the class runs on on-demand capacity', { capacity: 'on-demand' }, {}],
    ['an earlier capacity error asked for it', {}, { onDemand: true }],
    ['the job was interrupted often enough', {}, { interruptions: 2 }],
  ])('chooses on-demand capacity when %s', async (_, runnerClass, state) => {
    expectTokenExchange();
    nock(API_URL).get('/repos/octo-org/hello-world/actions/jobs/1234567').reply(200, jobResponse());
    expectGenerate('ecs-1234567-2');
    const config = aStepsConfig({ runnerClasses: [aRunnerClass(runnerClass)] });

    const relaunch = withoutRunner(aLifecycleState({ ...state, next: 'relaunch' }));

    const minted = await mintToken(relaunch, EXECUTION, deps({ config }));

    expect(minted.runner).toMatchObject({ capacity: 'on-demand', capacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }] });
  });
});

describe('mintToken on a relaunch', () => {
  const relaunch = (overrides: Partial<LifecycleState> = {}): LifecycleState => {
    const state = withoutRunner(aLifecycleState({ attempt: 1, interruptions: 1, next: 'relaunch', ...overrides }));
    return { ...state, attempts: [{ attempt: 1, runner: 'ecs-1234567-1', runnerClass: 'fargate', capacity: 'spot', capacityProvider: 'FARGATE_SPOT', taskArn: null, outcome: 'spot-interrupted', detail: 'SpotInterruption', registrationDeleted: true }] };
  };

  it('registers attempt + 1 under a new name while the job is still queued, keeping the history', async () => {
    expectTokenExchange();
    nock(API_URL).get('/repos/octo-org/hello-world/actions/jobs/1234567').reply(200, jobResponse({ status: 'queued' }));
    expectGenerate('ecs-1234567-2', { name: 'ecs-1234567-2', labels: ['fargate', 'self-hosted', 'linux', 'x64'], runner_group_id: 1, work_folder: '_work' });

    const state = await mintToken(relaunch(), EXECUTION, deps());

    expect(state).toMatchObject({ attempt: 2, interruptions: 1, onDemand: false, attempts: relaunch().attempts, runner: { name: 'ecs-1234567-2', capacity: 'spot' } });
    expect(state).not.toHaveProperty('next');
    expect(state).not.toHaveProperty('error');
  });

  it('fails with JobNotQueued when the job no longer waits for a runner', async () => {
    expectTokenExchange();
    nock(API_URL).get('/repos/octo-org/hello-world/actions/jobs/1234567').reply(200, jobResponse({ status: 'in_progress', runner_name: 'someone-else' }));

    await expect(mintToken(relaunch(), EXECUTION, deps())).rejects.toBeInstanceOf(JobNotQueuedError);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });
});

describe('mintToken duplicate-event guard', () => {
  const preconditionFailed = () => s3Error('PreconditionFailed', 412);

  it('fails with RunnerNameTaken, without calling GitHub, when another execution claimed the runner name', async () => {
    // GIVEN a late duplicate of the event: the first execution's claim is still there
    s3Mock.on(PutObjectCommand, CLAIM).rejects(preconditionFailed());
    s3Mock.on(GetObjectCommand, CLAIM).callsFake(() => claimHeldBy(OTHER_EXECUTION_ARN));

    // WHEN Mint token runs
    const error = await mintToken(aLaunchRequest(), EXECUTION, deps()).catch((caught: unknown) => caught);

    // THEN it stops as a duplicate before any GitHub call, and writes no JIT file
    expect(error).toBeInstanceOf(RunnerNameTakenError);
    expect(error).toMatchObject({ name: 'RunnerNameTaken', runnerName: 'ecs-1234567-1' });
    expect(github.callCounts()).toEqual({});
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    expect(logs.text()).toContain(OTHER_EXECUTION_ARN);
  });

  it('goes on when the claim is its own: a Step Functions retry of the same execution', async () => {
    // GIVEN an earlier try of this execution claimed the name, then failed before registering
    s3Mock.on(PutObjectCommand, CLAIM).rejects(preconditionFailed());
    s3Mock.on(GetObjectCommand, CLAIM).callsFake(() => claimHeldBy(EXECUTION_ARN));
    expectTokenExchange();
    expectJobStillQueued();
    expectGenerate('ecs-1234567-1');

    // WHEN Mint token is retried
    const state = await mintToken(aLaunchRequest(), EXECUTION, deps());

    // THEN the runner is registered and its JIT file written
    expect(state.runner).toMatchObject({ name: 'ecs-1234567-1', id: 23 });
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Key: 'jit/ecs-1234567-1.env' });
  });

  it('replaces its own registration whose response was lost, when GitHub answers 409 on the retry', async () => {
    // GIVEN the first try registered the runner but never saw the answer; the retry finds its own claim
    s3Mock.on(PutObjectCommand, CLAIM).rejects(preconditionFailed());
    s3Mock.on(GetObjectCommand, CLAIM).callsFake(() => claimHeldBy(EXECUTION_ARN));
    expectTokenExchange();
    expectJobStillQueued();
    nock(API_URL).post(GENERATE).reply(409, errorBodies.nameTaken('ecs-1234567-1'));
    const lookup = nock(API_URL)
      .get('/repos/octo-org/hello-world/actions/runners')
      .query({ name: 'ecs-1234567-1', per_page: '100' })
      .reply(200, runnersResponse([{ id: 19, name: 'ecs-1234567-1' }]));
    const deleted = nock(API_URL).delete('/repos/octo-org/hello-world/actions/runners/19').reply(204);
    expectGenerate('ecs-1234567-1');

    // WHEN Mint token runs
    const state = await mintToken(aLaunchRequest(), EXECUTION, deps());

    // THEN the orphaned registration was found by name and deleted, and the new one is handed on
    expect(lookup.isDone()).toBe(true);
    expect(deleted.isDone()).toBe(true);
    expect(state.runner).toMatchObject({ name: 'ecs-1234567-1', id: 23 });
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Key: 'jit/ecs-1234567-1.env', Body: `RUNNER_JIT_CONFIG=${ENCODED_JIT_CONFIG}\n` });
    expectNoCredentialIn(state);
  });

  it('fails with RunnerNameTaken when GitHub answers 409 again after the orphaned registration was deleted', async () => {
    s3Mock.on(PutObjectCommand, CLAIM).rejects(preconditionFailed());
    s3Mock.on(GetObjectCommand, CLAIM).callsFake(() => claimHeldBy(EXECUTION_ARN));
    expectTokenExchange();
    expectJobStillQueued();
    nock(API_URL).post(GENERATE).times(2).reply(409, errorBodies.nameTaken('ecs-1234567-1'));
    nock(API_URL)
      .get('/repos/octo-org/hello-world/actions/runners')
      .query({ name: 'ecs-1234567-1', per_page: '100' })
      .reply(200, runnersResponse([{ id: 19, name: 'ecs-1234567-1' }]));
    nock(API_URL).delete('/repos/octo-org/hello-world/actions/runners/19').reply(204);

    const error = await mintToken(aLaunchRequest(), EXECUTION, deps()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(RunnerNameTakenError);
    expect(github.callCounts()['POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig']).toBe(2);
    expect(s3Mock).not.toHaveReceivedCommandWith(PutObjectCommand, { Key: 'jit/ecs-1234567-1.env' });
  });

  it('fails with RunnerNameTaken, deleting nothing, when GitHub answers 409 to a name this call claimed first', async () => {
    // GIVEN a registration that predates the claim (a runner registered before claims existed)
    expectTokenExchange();
    nock(API_URL).post(GENERATE).reply(409, errorBodies.nameTaken('ecs-1234567-1'));

    // WHEN Mint token runs
    const error = await mintToken(aLaunchRequest(), EXECUTION, deps()).catch((caught: unknown) => caught);

    // THEN it ends as a duplicate: no lookup, no delete, no JIT file
    expect(error).toBeInstanceOf(RunnerNameTakenError);
    expect(Object.keys(github.callCounts()).sort()).toEqual(['POST /app/installations/{installation_id}/access_tokens', 'POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig']);
    expect(s3Mock).not.toHaveReceivedCommandWith(PutObjectCommand, { Key: 'jit/ecs-1234567-1.env' });
    expectNoCredentialIn(error);
  });

  it('fails with the S3 error, without calling GitHub, when the claim cannot be written', async () => {
    // GIVEN S3 answers 500 to the claim
    s3Mock.on(PutObjectCommand, CLAIM).rejects(s3Error('InternalError', 500));

    // WHEN Mint token runs
    const error = await mintToken(aLaunchRequest(), EXECUTION, deps()).catch((caught: unknown) => caught);

    // THEN the S3 error surfaces as it is, for the state machine's catch, and GitHub was never asked
    expect(error).toMatchObject({ name: 'InternalError', $metadata: { httpStatusCode: 500 } });
    expect(github.callCounts()).toEqual({});
    expect(s3Mock).not.toHaveReceivedCommand(GetObjectCommand);
  });

  it('writes the claim again after a conflicting concurrent write (409), as S3 advises', async () => {
    // GIVEN S3 reports a conflicting write in flight once, then another execution's claim
    s3Mock.on(PutObjectCommand, CLAIM).rejectsOnce(s3Error('ConditionalRequestConflict', 409)).rejects(preconditionFailed());
    s3Mock.on(GetObjectCommand, CLAIM).callsFake(() => claimHeldBy(OTHER_EXECUTION_ARN));

    // WHEN Mint token runs
    const error = await mintToken(aLaunchRequest(), EXECUTION, deps()).catch((caught: unknown) => caught);

    // THEN the second write settled it: a duplicate, and GitHub was never asked
    expect(error).toBeInstanceOf(RunnerNameTakenError);
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 2);
    expect(github.callCounts()).toEqual({});
  });

  it('claims the name again when the claim expired between the write and the read', async () => {
    s3Mock.on(PutObjectCommand, CLAIM).rejectsOnce(preconditionFailed()).resolves({});
    s3Mock.on(GetObjectCommand, CLAIM).rejects(s3Error('NoSuchKey', 404));
    expectTokenExchange();
    expectGenerate('ecs-1234567-1');

    await expect(mintToken(aLaunchRequest(), EXECUTION, deps())).resolves.toHaveProperty('runner.id', 23);
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { ...CLAIM, IfNoneMatch: '*' });
  });
});

describe('mintToken failures', () => {

  it('fails with NoMatchingRunnerClass when no class offers the labels, before calling GitHub', async () => {
    const error = await mintToken(aLaunchRequest({ labels: ['self-hosted', 'gpu'] }), EXECUTION, deps()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(NoMatchingRunnerClassError);
    expect(String(error)).toContain('[self-hosted, gpu]');
    expect(github.callCounts()).toEqual({});
  });

  it('rejects a repository outside the fleet scope before calling GitHub', async () => {
    await expect(mintToken(aLaunchRequest({ repo: 'not-ours' }), EXECUTION, deps())).rejects.toThrow(InvalidLaunchRequestError);
    expect(github.callCounts()).toEqual({});
  });

  it('rejects an invalid launch request naming the field', async () => {
    await expect(mintToken({ owner: 'octo-org', repo: 'hello-world', labels: [] }, EXECUTION, deps())).rejects.toMatchObject({ name: 'InvalidLaunchRequest', field: 'labels' });
  });

  it('deletes the new registration and fails with the S3 error when the JIT file cannot be written', async () => {
    // GIVEN S3 takes the claim but refuses the JIT file
    s3Mock.on(PutObjectCommand, { Key: 'jit/ecs-1234567-1.env' }).rejects(s3Error('AccessDenied', 403));
    expectTokenExchange();
    expectGenerate('ecs-1234567-1');
    const deleted = nock(API_URL).delete('/repos/octo-org/hello-world/actions/runners/23').reply(204);

    // WHEN Mint token runs
    const error = await mintToken(aLaunchRequest(), EXECUTION, deps()).catch((caught: unknown) => caught);

    // THEN the registration is gone and the S3 error surfaces, without the JIT config
    expect(deleted.isDone()).toBe(true);
    expect(error).toMatchObject({ name: 'AccessDenied' });
    expectNoCredentialIn(error);
  });

  it('still fails with the S3 error when deleting the registration fails too', async () => {
    s3Mock.on(PutObjectCommand, { Key: 'jit/ecs-1234567-1.env' }).rejects(s3Error('SlowDown', 503));
    expectTokenExchange();
    expectGenerate('ecs-1234567-1');
    nock(API_URL).delete('/repos/octo-org/hello-world/actions/runners/23').reply(502, errorBodies.serverError);

    await expect(mintToken(aLaunchRequest(), EXECUTION, deps())).rejects.toMatchObject({ name: 'SlowDown' });
    expect(s3Mock).not.toHaveReceivedCommandWith(DeleteObjectCommand, { Key: 'jit/ecs-1234567-1.env' });
  });
});

describe('mintToken and the runner class cap (maxRunners)', () => {
  const slotsOf = (...indexes: number[]) => ({ Contents: indexes.map((index) => ({ Key: `slots/fargate/${index}` })) });
  const capped = (maxRunners: number) => aStepsConfig({ runnerClasses: [aRunnerClass({ maxRunners })] });

  it('takes a free slot, holding the runner name and the execution, create-only', async () => {
    // GIVEN a class capped at 3 whose slots 0 and 2 are taken
    s3Mock.on(ListObjectsV2Command, { Prefix: 'slots/fargate/' }).resolves(slotsOf(0, 2));
    expectTokenExchange();
    expectGenerate('ecs-1234567-1');

    // WHEN Mint token runs
    const state = await mintToken(aLaunchRequest(), EXECUTION, deps({ config: capped(3) }));

    // THEN it took slot 1, the only free one, and hands it on for Clean up to release
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Key: 'slots/fargate/1',
      Body: JSON.stringify({ runner: 'ecs-1234567-1', executionArn: EXECUTION_ARN }),
      IfNoneMatch: '*',
    });
    expect(state.runner?.slot).toBe('slots/fargate/1');
  });

  it('fails with RunnerCapReached, before any GitHub call, when every slot is taken', async () => {
    // GIVEN a class capped at 2 with both slots taken
    s3Mock.on(ListObjectsV2Command).resolves(slotsOf(0, 1));

    // WHEN Mint token runs
    const error = await mintToken(aLaunchRequest(), EXECUTION, deps({ config: capped(2) })).catch((caught: unknown) => caught);

    // THEN the error names the class, the cap and the fix; GitHub was not asked and no JIT file was written
    expect(error).toBeInstanceOf(RunnerCapReachedError);
    expect((error as Error).message).toBe("Runner class 'fargate' already runs its maximum of 2 runners: waiting for one to finish (raise maxRunners to run more at once).");
    expect(github.callCounts()).toEqual({});
    expect(s3Mock).not.toHaveReceivedCommandWith(PutObjectCommand, { Key: 'jit/ecs-1234567-1.env' });
  });

  it('tries another free slot when a concurrent launch took the one it chose', async () => {
    // GIVEN two free slots, one of which another launch takes between the listing and the write
    s3Mock.on(ListObjectsV2Command).resolves(slotsOf(1));
    s3Mock.on(PutObjectCommand, { Key: 'slots/fargate/0' }).rejects(s3Error('PreconditionFailed', 412));
    s3Mock.on(PutObjectCommand, { Key: 'slots/fargate/2' }).rejects(s3Error('PreconditionFailed', 412));
    expectTokenExchange();
    expectGenerate('ecs-1234567-1');

    // WHEN Mint token runs on a class capped at 4
    const state = await mintToken(aLaunchRequest(), EXECUTION, deps({ config: capped(4) }));

    // THEN it ends up in the slot nobody else wanted
    expect(state.runner?.slot).toBe('slots/fargate/3');
  });

  it('gives the slot back when the registration fails', async () => {
    // GIVEN GitHub fails generate-jitconfig
    slotsHeldBy('ecs-1234567-1');
    expectTokenExchange();
    nock(API_URL).post(GENERATE).reply(502, errorBodies.serverError);

    // WHEN Mint token runs
    await expect(mintToken(aLaunchRequest(), EXECUTION, deps())).rejects.toMatchObject({ name: 'GitHubUnavailable' });

    // THEN the slot it took was deleted again
    const slotWrite = s3Mock.commandCalls(PutObjectCommand).find((call) => call.args[0].input.Key?.startsWith('slots/'));
    expect(slotWrite).toBeDefined();
    expect(s3Mock).toHaveReceivedCommandWith(DeleteObjectCommand, { Key: slotWrite?.args[0].input.Key });
  });

  it('ends with JobNotQueued, giving the slot back, when the job stopped waiting while the launch waited for a slot', async () => {
    // GIVEN a retry of this execution (its own claim) after waiting for a slot, and a job that started meanwhile
    s3Mock.on(PutObjectCommand, CLAIM).rejects(s3Error('PreconditionFailed', 412));
    slotsHeldBy('ecs-1234567-1');
    s3Mock.on(GetObjectCommand, CLAIM).callsFake(() => claimHeldBy(EXECUTION_ARN));
    expectTokenExchange();
    nock(API_URL).get('/repos/octo-org/hello-world/actions/jobs/1234567').reply(200, jobResponse({ status: 'in_progress' }));

    // WHEN Mint token is retried
    const error = await mintToken(aLaunchRequest(), EXECUTION, deps()).catch((caught: unknown) => caught);

    // THEN nothing is registered and the slot is free again
    expect(error).toBeInstanceOf(JobNotQueuedError);
    expect(github.callCounts()['POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig']).toBeUndefined();
    const slotKey = s3Mock.commandCalls(PutObjectCommand).find((call) => call.args[0].input.Key?.startsWith('slots/'))?.args[0].input.Key;
    expect(s3Mock).toHaveReceivedCommandWith(DeleteObjectCommand, { Key: slotKey });
  });
});
