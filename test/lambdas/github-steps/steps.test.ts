import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import nock from 'nock';
import { GITHUB_STEP, type LifecycleState } from '../../../statemachine/contracts';
import { createGitHubSteps } from '../../../lambdas/github-steps/steps';
import { aGitHubClient, captureLogs, expectTokenExchange } from '../support/github-app';
import { API_URL, ENCODED_JIT_CONFIG, INSTALLATION_TOKEN, jitConfigResponse, jobResponse } from '../support/github-fixtures';
import { aLaunchRequest, aStepsConfig, aStoppedTask, EXECUTION_ARN, EXECUTION_NAME } from '../support/builders';
import { s3Error } from '../support/s3';
import { silentMetrics } from '../../../lambdas/shared/metrics';
import { useNock } from '../support/nock';

const s3 = new S3Client({ region: 'eu-west-1' });
const ecs = new ECSClient({ region: 'eu-west-1' });
const s3Mock = mockClient(s3);
const ecsMock = mockClient(ecs);

useNock();
beforeEach(() => {
  s3Mock.reset();
  ecsMock.reset();
  s3Mock.on(PutObjectCommand).resolves({}).on(DeleteObjectCommand).resolves({}).on(ListObjectsV2Command).resolves({ Contents: [] });
  s3Mock.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404));
});

describe('createGitHubSteps', () => {
  it('runs a whole happy lifecycle through one function: two GitHub calls per job, no credential in any output or log', async () => {
    // GIVEN one steps function with a warm installation token
    const logs = captureLogs();
    const github = aGitHubClient({ logger: logs.logger });
    const steps = createGitHubSteps({ github, s3, ecs, config: aStepsConfig(), logger: logs.logger, metrics: silentMetrics, now: () => 0 });
    expectTokenExchange();
    nock(API_URL).post('/repos/octo-org/hello-world/actions/runners/generate-jitconfig').reply(201, jitConfigResponse('ecs-1234567-1', 23));
    nock(API_URL).get('/repos/octo-org/hello-world/actions/jobs/1234567').reply(200, jobResponse({ status: 'completed', conclusion: 'success', runner_name: 'ecs-1234567-1', runner_id: 23 }));

    // WHEN Mint token, then (after Run runner) Clean up run
    const minted = await steps({ step: GITHUB_STEP.mintToken, state: aLaunchRequest(), executionName: EXECUTION_NAME, executionArn: EXECUTION_ARN });
    const ended: LifecycleState = await steps({ step: GITHUB_STEP.cleanUp, state: { ...minted, task: aStoppedTask() }, executionName: EXECUTION_NAME, executionArn: EXECUTION_ARN });

    // THEN the job was served with generate-jitconfig and get-job only
    expect(ended).toMatchObject({ next: 'done', attempts: [{ outcome: 'served-job' }] });
    const { ['POST /app/installations/{installation_id}/access_tokens']: tokenCalls, ...jobCalls } = github.callCounts();
    expect(tokenCalls).toBe(1);
    expect(jobCalls).toEqual({ 'POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig': 1, 'GET /repos/{owner}/{repo}/actions/jobs/{job_id}': 1 });
    // AND each step logged its own GitHub calls
    const finished = logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['message'] === 'Step finished');
    expect(finished.map((line) => [line['step'], line['gitHubCalls']])).toEqual([
      [
        'mint-token',
        [
          { route: 'POST /app/installations/{installation_id}/access_tokens', calls: 1 },
          { route: 'POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig', calls: 1 },
        ],
      ],
      ['clean-up', [{ route: 'GET /repos/{owner}/{repo}/actions/jobs/{job_id}', calls: 1 }]],
    ]);
    // AND the JIT config and the token are nowhere but in the S3 object
    const everything = JSON.stringify([minted, ended]) + logs.text();
    expect(everything).not.toContain(ENCODED_JIT_CONFIG);
    expect(everything).not.toContain(INSTALLATION_TOKEN);
  });

  it.each([
    [{ step: 'check-job', state: {}, executionName: 'x', executionArn: 'y' }, 'step'],
    [{ step: 'mint-token', state: {}, executionArn: 'y' }, 'executionName'],
    ['not an object', '(input)'],
  ])('rejects a step input the state machine did not build as documented (%p)', async (input, field) => {
    const logs = captureLogs();
    const steps = createGitHubSteps({ github: aGitHubClient(), s3, ecs, config: aStepsConfig(), logger: logs.logger, metrics: silentMetrics });

    await expect(steps(input)).rejects.toMatchObject({ name: 'InvalidLaunchRequest', field });
  });

  it('logs a failed step with its error name and rethrows the error for the state machine', async () => {
    const logs = captureLogs();
    const steps = createGitHubSteps({ github: aGitHubClient(), s3, ecs, config: aStepsConfig(), logger: logs.logger, metrics: silentMetrics });

    await expect(steps({ step: 'mint-token', state: aLaunchRequest({ labels: ['gpu'] }), executionName: 'x', executionArn: 'y' })).rejects.toMatchObject({ name: 'NoMatchingRunnerClass' });
    const failure = logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line['message'] === 'Step failed');
    expect(failure).toMatchObject({ step: 'mint-token', error: { name: 'NoMatchingRunnerClass' } });
  });
});
