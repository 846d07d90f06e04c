import { DescribeTasksCommand, ECSClient, ListTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import nock from 'nock';
import type { SweepSummary } from '../../../lambdas/sweeper/sweep';
import { ENV } from '../../../statemachine/contracts';
import { testKeyPair } from '../support/github-app';
import { API_URL, INSTALLATION_ID, installationResponse, installationTokenResponse, runnersResponse } from '../support/github-fixtures';
import { CLUSTER_ARN, JIT_BUCKET_ARN } from '../support/builders';
import { PRIVATE_KEY_SECRET_ARN } from '../support/env';
import { s3Error } from '../support/s3';

const secretsMock = mockClient(SecretsManagerClient);
const s3Mock = mockClient(S3Client);
const ecsMock = mockClient(ECSClient);
let handler: () => Promise<SweepSummary>;
const savedEnv = process.env;
const stdout: string[] = [];
const TASK_ARN = 'arn:aws:ecs:eu-west-1:111122223333:task/runners/0123456789abcdef0123456789abcdef';

beforeAll(async () => {
  nock.disableNetConnect();
  process.env = {
    ...savedEnv,
    AWS_REGION: 'eu-west-1',
    [ENV.gitHubAppId]: '123456',
    [ENV.gitHubApiUrl]: API_URL,
    [ENV.gitHubScope]: JSON.stringify({ type: 'organization', organization: 'octo-org', runnerGroupId: 1 }),
    [ENV.privateKeySecretArn]: PRIVATE_KEY_SECRET_ARN,
    [ENV.runnerNamePrefix]: 'ecs',
    [ENV.jitBucketArn]: JIT_BUCKET_ARN,
    [ENV.clusterArn]: CLUSTER_ARN,
    [ENV.maxTaskAgeSeconds]: '22200',
  };
  jest.spyOn(process.stdout, 'write').mockImplementation((line) => {
    stdout.push(String(line));
    return true;
  });
  ({ handler } = await import('../../../lambdas/sweeper/handler'));
});
afterAll(() => {
  process.env = savedEnv;
  nock.cleanAll();
  nock.enableNetConnect();
  jest.restoreAllMocks();
});

describe('sweeper handler', () => {
  it('sweeps the configured cluster, bucket and organization, and prints the EMF line to stdout', async () => {
    // GIVEN one over-age task and one leftover registration without a claim
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: testKeyPair().privateKey });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [TASK_ARN] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK_ARN, startedBy: 'ecs-1-1', createdAt: new Date(Date.now() - 23_000_000) }] });
    ecsMock.on(StopTaskCommand).resolves({});
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [] }).on(HeadObjectCommand).rejects(s3Error('NotFound', 404)).on(DeleteObjectCommand).resolves({});
    nock(API_URL).get('/orgs/octo-org/installation').reply(200, installationResponse());
    nock(API_URL).post(`/app/installations/${INSTALLATION_ID}/access_tokens`).reply(201, installationTokenResponse());
    nock(API_URL).get('/orgs/octo-org/actions/runners').query({ per_page: 100, page: 1 }).reply(200, runnersResponse([{ id: 77, name: 'ecs-2-1' }]));
    nock(API_URL).delete('/orgs/octo-org/actions/runners/77').reply(204);

    // WHEN the schedule invokes it
    const summary = await handler();

    // THEN the task is stopped, the registration deleted, and the metrics printed
    expect(summary).toMatchObject({ tasks: { found: 1, stopped: 1 }, registrations: { found: 1, deleted: 1 }, errors: 0 });
    expect(ecsMock).toHaveReceivedCommandWith(StopTaskCommand, { cluster: CLUSTER_ARN, task: TASK_ARN });
    expect(s3Mock).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: 'fleet-jit-configs', Key: 'claims/ecs-2-1' });
    expect(nock.pendingMocks()).toEqual([]);
    expect(stdout.some((line) => line.includes('"LeftoverTasks":1'))).toBe(true);
  });
});
