import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import nock from 'nock';
import type { RedeliverySummary } from '../../../lambdas/redelivery/redeliver';
import { ENV } from '../../../statemachine/contracts';
import { testKeyPair } from '../support/github-app';
import { API_URL, APP_ID, errorBodies } from '../support/github-fixtures';
import { PRIVATE_KEY_SECRET_ARN } from '../support/env';

const secretsMock = mockClient(SecretsManagerClient);
let handler: () => Promise<RedeliverySummary>;
let output: string[] = [];
const savedEnv = process.env;

beforeAll(async () => {
  nock.disableNetConnect();
  process.env = {
    ...savedEnv,
    [ENV.gitHubAppId]: String(APP_ID),
    [ENV.gitHubApiUrl]: API_URL,
    [ENV.privateKeySecretArn]: PRIVATE_KEY_SECRET_ARN,
    [ENV.redeliveryWindowMinutes]: '180',
    [ENV.maxRedeliveries]: '5',
    AWS_REGION: 'eu-west-1',
  };
  jest.spyOn(process.stdout, 'write').mockImplementation((line: string | Uint8Array) => output.push(String(line)) > 0);
  ({ handler } = await import('../../../lambdas/redelivery/handler'));
});
beforeEach(() => {
  output = [];
  secretsMock.on(GetSecretValueCommand).resolves({ SecretString: testKeyPair().privateKey });
});
afterAll(() => {
  process.env = savedEnv;
  nock.cleanAll();
  nock.enableNetConnect();
  jest.restoreAllMocks();
});

function failedDelivery(id: number, minutesAgo: number) {
  return {
    id,
    guid: `guid-${id}`,
    delivered_at: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
    redelivery: false,
    status: 'Invalid HTTP Response: 502',
    status_code: 502,
    event: 'workflow_job',
    action: 'in_progress',
    installation_id: 42,
    repository_id: 1296269,
  };
}

describe('redelivery handler', () => {
  it('redelivers failed deliveries on each scheduled run, reading the App private key once per container', async () => {
    // GIVEN GitHub lists a success and a failed in_progress delivery, then only successes
    const ok = { ...failedDelivery(3, 1), guid: 'guid-ok', status: 'OK', status_code: 202 };
    nock(API_URL).get('/app/hook/deliveries').query(true).reply(200, [ok, failedDelivery(2, 10)]);
    nock(API_URL).post('/app/hook/deliveries/2/attempts').reply(202, {});
    nock(API_URL).get('/app/hook/deliveries').query(true).reply(200, [ok]);

    // WHEN two scheduled runs happen in the container
    const first = await handler();
    const second = await handler();

    // THEN the first redelivered, the second had nothing to do, and the key was read once
    expect(first).toMatchObject({ scanned: 2, failedGuids: 1, redelivered: 1, errors: 0 });
    expect(second).toMatchObject({ scanned: 1, failedGuids: 0, redelivered: 0 });
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(secretsMock).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: PRIVATE_KEY_SECRET_ARN });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('ends a rate-limited run at once, without waiting in the Lambda, and writes the metrics', async () => {
    nock(API_URL).get('/app/hook/deliveries').query(true).reply(429, errorBodies.secondaryRateLimit, { 'retry-after': '60' });

    const startedAt = Date.now();
    const summary = await handler();

    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(summary).toMatchObject({ errors: 1, truncated: true, redelivered: 0 });
    const lines = output.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ WebhookRedeliveryErrors: 1, WebhookDeliveriesFailed: 0 }));
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', message: 'Redelivery run finished', component: 'redelivery' }));
  });
});
