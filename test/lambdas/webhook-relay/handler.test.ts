import 'aws-sdk-client-mock-jest';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV, GITHUB_EVENT } from '../../../statemachine/contracts';
import type { FunctionUrlResponse } from '../../../lambdas/webhook-relay/function-url';
import { asRecord, delivery, EVENT_BUS_NAME, functionUrlEvent, messageOf, ping, PREVIOUS_SECRET, SECRET, SECRET_ARN, secretString, sign, workflowJobQueued } from './builders';

type EventBridgeSdk = typeof import('@aws-sdk/client-eventbridge');
type SecretsManagerSdk = typeof import('@aws-sdk/client-secrets-manager');

/**
 * A cold start: the handler module loaded afresh (its own clients and secret cache), with the AWS SDK clients of
 * that module registry mocked. Matchers take the command classes of the same registry.
 */
async function coldStart(options: { secret?: string; env?: Record<string, string> } = {}) {
  setEnv({ [ENV.webhookSecretArn]: SECRET_ARN, [ENV.eventBusName]: EVENT_BUS_NAME, ...options.env });
  let loaded: Awaited<ReturnType<typeof load>> | undefined;
  const load = async () => {
    const eventBridgeSdk: EventBridgeSdk = await import('@aws-sdk/client-eventbridge');
    const secretsManagerSdk: SecretsManagerSdk = await import('@aws-sdk/client-secrets-manager');
    const eventBridge = mockClient(eventBridgeSdk.EventBridgeClient);
    const secretsManager = mockClient(secretsManagerSdk.SecretsManagerClient);
    eventBridge.on(eventBridgeSdk.PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-1' }] });
    secretsManager.on(secretsManagerSdk.GetSecretValueCommand).resolves({ ARN: SECRET_ARN, SecretString: options.secret ?? secretString(SECRET) });
    const { handler } = await import('../../../lambdas/webhook-relay/handler');
    return {
      handler: (event: unknown): Promise<FunctionUrlResponse> => handler(event),
      eventBridge,
      secretsManager,
      PutEventsCommand: eventBridgeSdk.PutEventsCommand,
      GetSecretValueCommand: secretsManagerSdk.GetSecretValueCommand,
    };
  };
  await jest.isolateModulesAsync(async () => {
    loaded = await load();
  });
  if (loaded === undefined) throw new Error('handler did not load');
  return loaded;
}

const savedEnv = { ...process.env };
function setEnv(values: Record<string, string>): void {
  for (const name of Object.values(ENV)) delete process.env[name];
  // Each cold start loads the SDK afresh, and each load would warn about Node 20 again.
  Object.assign(process.env, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, values);
}

let stdout: jest.SpiedFunction<typeof process.stdout.write>;
beforeEach(() => {
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => {
  stdout.mockRestore();
  process.env = { ...savedEnv };
});

function loggedLines(): string[] {
  return stdout.mock.calls.map(([chunk]) => String(chunk));
}

describe('webhook relay handler', () => {
  it('puts exactly one workflow_job event on the configured bus, with the payload and the delivery id', async () => {
    // GIVEN a freshly started relay and a signed queued workflow_job delivery
    const { handler, eventBridge, PutEventsCommand } = await coldStart();

    // WHEN GitHub delivers it
    const response = await handler(delivery());

    // THEN one PutEvents carries the payload exactly, plus x-github-delivery
    expect(response.statusCode).toBe(202);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(eventBridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [expect.objectContaining({ Source: GITHUB_EVENT.source, DetailType: GITHUB_EVENT.workflowJobDetailType, EventBusName: EVENT_BUS_NAME })],
    });
    const entry = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(JSON.parse(entry?.Detail ?? '')).toEqual({ ...workflowJobQueued(), [GITHUB_EVENT.deliveryIdField]: '72d3162e-cc78-11e3-81ab-4c9367dc0958' });
  });

  it('relays a base64-encoded body', async () => {
    const { handler, eventBridge, PutEventsCommand } = await coldStart();

    expect((await handler(delivery({ base64: true }))).statusCode).toBe(202);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  it('reads header names in any case', async () => {
    const body = JSON.stringify(workflowJobQueued());
    const { handler, eventBridge, PutEventsCommand } = await coldStart();

    const response = await handler(functionUrlEvent({ body, headers: { 'X-GITHUB-EVENT': 'workflow_job', 'x-hub-SIGNATURE-256': sign(body) } }));

    expect(response.statusCode).toBe(202);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  it.each([
    ['forged', { secret: 'guessed secret' }],
    ['missing', { signature: null }],
    ['truncated', { signature: sign('{}').slice(0, 50) }],
    ['wrong-algorithm (sha1=)', { signature: `sha1=${'a'.repeat(40)}` }],
  ])('rejects a %s signature with 401 and puts nothing', async (_case, options) => {
    const { handler, eventBridge, PutEventsCommand } = await coldStart();

    expect((await handler(delivery(options))).statusCode).toBe(401);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });

  it('rejects a signed body that is not JSON with 400', async () => {
    const { handler, eventBridge, PutEventsCommand } = await coldStart();

    expect((await handler(delivery({ body: 'payload=%7B%7D' }))).statusCode).toBe(400);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });

  it('rejects a body over the default 256 KiB with 413 without reading the secret', async () => {
    const { handler, secretsManager, GetSecretValueCommand } = await coldStart();

    const response = await handler(delivery({ payload: { ...workflowJobQueued(), padding: 'x'.repeat(300 * 1024) } }));

    expect(response.statusCode).toBe(413);
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
  });

  it(`takes the size limit from ${ENV.maxWebhookBytes}`, async () => {
    const { handler } = await coldStart({ env: { [ENV.maxWebhookBytes]: '1024' } });

    expect((await handler(delivery())).statusCode).toBe(413);
  });

  it('answers 202 to a ping and to events it ignores, putting nothing', async () => {
    const { handler, eventBridge, PutEventsCommand } = await coldStart();

    expect((await handler(delivery({ event: 'ping', payload: ping() }))).statusCode).toBe(202);
    expect((await handler(delivery({ event: 'push', payload: { ref: 'refs/heads/main' } }))).statusCode).toBe(202);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });

  it('accepts the previous secret while rotating', async () => {
    const { handler } = await coldStart({ secret: secretString(SECRET, PREVIOUS_SECRET) });

    expect((await handler(delivery({ secret: PREVIOUS_SECRET }))).statusCode).toBe(202);
    expect((await handler(delivery({ secret: SECRET }))).statusCode).toBe(202);
  });

  it('picks up a new current secret put in Secrets Manager after the container started', async () => {
    // GIVEN a warm container that cached the old secret
    const { handler, secretsManager, GetSecretValueCommand } = await coldStart({ secret: secretString('old secret') });
    expect((await handler(delivery({ secret: 'old secret' }))).statusCode).toBe(202);

    // WHEN the secret is rotated and GitHub signs with the new one
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: secretString('new secret', 'old secret') });
    const response = await handler(delivery({ secret: 'new secret' }));

    // THEN the relay re-read the secret once and accepted the delivery
    expect(response.statusCode).toBe(202);
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    expect(secretsManager).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SECRET_ARN });
  });

  it('reads Secrets Manager once across many deliveries in one container', async () => {
    const { handler, eventBridge, secretsManager, PutEventsCommand, GetSecretValueCommand } = await coldStart();

    for (let i = 0; i < 25; i += 1) expect((await handler(delivery({ deliveryId: `delivery-${i}` }))).statusCode).toBe(202);

    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 25);
  });

  it('fails with 502 when PutEvents throws', async () => {
    const { handler, eventBridge, PutEventsCommand } = await coldStart();
    eventBridge.on(PutEventsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    expect((await handler(delivery())).statusCode).toBe(502);
  });

  it('fails with 502 when PutEvents reports FailedEntryCount 1', async () => {
    const { handler, eventBridge, PutEventsCommand } = await coldStart();
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'Internal error' }] });

    expect((await handler(delivery())).statusCode).toBe(502);
  });

  it('fails with 503 when Secrets Manager cannot be read, logging the secret ARN', async () => {
    const { handler, secretsManager, GetSecretValueCommand } = await coldStart();
    secretsManager.on(GetSecretValueCommand).rejects(Object.assign(new Error('Secrets Manager can\'t find the specified secret.'), { name: 'ResourceNotFoundException' }));

    const response = await handler(delivery());

    expect(response.statusCode).toBe(503);
    expect(messageOf(response)).toMatch(/could not read its webhook secret/);
    expect(loggedLines().join('')).toContain(SECRET_ARN);
  });

  it('logs one JSON line per delivery and never the body, the secret or a signature', async () => {
    const marker = 'BODY-MARKER-c0ffee';
    const payload = { ...workflowJobQueued(), marker };
    const body = JSON.stringify(payload);
    const { handler } = await coldStart();

    await handler(delivery({ payload }));
    await handler(delivery({ payload, secret: 'guessed secret' }));
    await handler(delivery({ body: `not json ${marker}` }));

    const lines = loggedLines();
    expect(lines).toHaveLength(3);
    expect(lines.map((line) => asRecord(JSON.parse(line)).status)).toEqual([202, 401, 400]);
    const text = lines.join('');
    for (const secret of [SECRET, 'guessed secret']) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(sign(body, secret).slice('sha256='.length));
    }
    expect(text).not.toContain(marker);
  });

  it.each([
    [ENV.webhookSecretArn, { [ENV.eventBusName]: EVENT_BUS_NAME }],
    [ENV.eventBusName, { [ENV.webhookSecretArn]: SECRET_ARN }],
  ])('fails at cold start naming %s when it is not set', async (variable, env) => {
    await expect(jest.isolateModulesAsync(async () => {
      setEnv(env);
      await import('../../../lambdas/webhook-relay/handler');
    })).rejects.toThrow(`Environment variable ${variable} is not set`);
  });

  it(`fails at cold start when ${ENV.maxWebhookBytes} is over EventBridge's limit`, async () => {
    await expect(coldStart({ env: { [ENV.maxWebhookBytes]: String(1024 * 1024) } })).rejects.toThrow(`Environment variable ${ENV.maxWebhookBytes} is invalid`);
  });
});
