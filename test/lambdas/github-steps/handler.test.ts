import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ECSClient } from '@aws-sdk/client-ecs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import nock from 'nock';
import type { LifecycleState } from '../../../statemachine/contracts';
import { testKeyPair } from '../support/github-app';
import { API_URL, INSTALLATION_ID, installationTokenResponse, jitConfigResponse } from '../support/github-fixtures';
import { aLaunchRequest, EXECUTION_ARN, EXECUTION_NAME, JIT_BUCKET_ARN } from '../support/builders';
import { PRIVATE_KEY_SECRET_ARN, stepsEnv } from '../support/env';

const secretsMock = mockClient(SecretsManagerClient);
const s3Mock = mockClient(S3Client);
mockClient(ECSClient);
let handler: (input: unknown) => Promise<LifecycleState>;
const savedEnv = process.env;

beforeAll(async () => {
  nock.disableNetConnect();
  process.env = { ...savedEnv, ...stepsEnv(), AWS_REGION: 'eu-west-1' };
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  ({ handler } = await import('../../../lambdas/github-steps/handler'));
});
beforeEach(() => {
  secretsMock.on(GetSecretValueCommand).resolves({ SecretString: testKeyPair().privateKey });
  s3Mock.on(PutObjectCommand).resolves({}).on(DeleteObjectCommand).resolves({}).on(ListObjectsV2Command).resolves({ Contents: [] });
});
afterAll(() => {
  process.env = savedEnv;
  nock.cleanAll();
  nock.enableNetConnect();
  jest.restoreAllMocks();
});

describe('github-steps handler', () => {
  it('mints runners for several jobs, reading the App private key from Secrets Manager once per container', async () => {
    // GIVEN the deployed environment and GitHub answering two registrations
    nock(API_URL).post(`/app/installations/${INSTALLATION_ID}/access_tokens`).reply(201, installationTokenResponse());
    nock(API_URL)
      .post('/repos/octo-org/hello-world/actions/runners/generate-jitconfig')
      .reply(201, jitConfigResponse('ecs-1111111-1', 31))
      .post('/repos/octo-org/hello-world/actions/runners/generate-jitconfig')
      .reply(201, jitConfigResponse('ecs-2222222-1', 32));

    // WHEN the function is invoked twice
    const first = await handler({ step: 'mint-token', state: aLaunchRequest({ jobId: 1111111 }), executionName: EXECUTION_NAME, executionArn: EXECUTION_ARN });
    const second = await handler({ step: 'mint-token', state: aLaunchRequest({ jobId: 2222222 }), executionName: EXECUTION_NAME, executionArn: EXECUTION_ARN });

    // THEN both runners were minted and the key was read once
    expect([first.runner?.jitConfigArn, second.runner?.jitConfigArn]).toEqual([`${JIT_BUCKET_ARN}/jit/ecs-1111111-1.env`, `${JIT_BUCKET_ARN}/jit/ecs-2222222-1.env`]);
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(secretsMock).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: PRIVATE_KEY_SECRET_ARN });
    expect(nock.pendingMocks()).toEqual([]);
  });
});
