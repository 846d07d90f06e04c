import {
  createWebhookSecrets,
  parseWebhookSecret,
  WebhookSecretNotConfiguredError,
  WebhookSecretUnavailableError,
} from '../../../lambdas/webhook-relay/webhook-secrets';
import { FakeSecretStore, SECRET_ARN, secretString } from './builders';

describe('parseWebhookSecret', () => {
  it.each([
    ['the JSON the stack generates', '{"current":"s3cret"}', ['s3cret']],
    ['current and previous while rotating', '{"current":"new","previous":"old"}', ['new', 'old']],
    ['an empty previous, left by a rotation script', '{"current":"new","previous":""}', ['new']],
    ['a null previous', '{"current":"new","previous":null}', ['new']],
    ['a plain string', 'plain-secret', ['plain-secret']],
    ['a plain secret that happens to be a JSON number', '12345678', ['12345678']],
  ])('reads %s', (_case, text, expected) => {
    expect(parseWebhookSecret(text, SECRET_ARN)).toEqual(expected);
  });

  it.each([
    ['a JSON object without current', '{"previous":"old"}'],
    ['an empty current', '{"current":""}'],
    ['a current that is not a string', '{"current":42}'],
    ['a JSON array', '["a","b"]'],
    ['a blank string', '   '],
  ])('rejects %s as not configured, naming the secret but not its value', (_case, text) => {
    expect(() => parseWebhookSecret(text, SECRET_ARN)).toThrow(WebhookSecretNotConfiguredError);
    expect(() => parseWebhookSecret(text, SECRET_ARN)).toThrow(SECRET_ARN);
  });

  it('never puts the value in its error message', () => {
    const text = '{"current":"","previous":"leaked-if-shown"}';
    expect(() => parseWebhookSecret(text, SECRET_ARN)).toThrow(WebhookSecretNotConfiguredError);
    expect(() => parseWebhookSecret(text, SECRET_ARN)).not.toThrow(/leaked-if-shown/);
  });
});

describe('createWebhookSecrets', () => {
  it('reads Secrets Manager once and serves later reads from the cache', async () => {
    const store = new FakeSecretStore(secretString('s1'));
    const secrets = createWebhookSecrets(store, { secretArn: SECRET_ARN });

    for (let i = 0; i < 5; i += 1) await expect(secrets.read()).resolves.toEqual(['s1']);

    expect(store.fetchCount).toBe(1);
  });

  it('re-reads the secret on refresh, then refuses to again within the interval', async () => {
    // GIVEN a cached secret that was rotated since
    let clock = 0;
    const store = new FakeSecretStore(secretString('s1'));
    const secrets = createWebhookSecrets(store, { secretArn: SECRET_ARN, minRefreshIntervalMs: 60_000, now: () => clock });
    await secrets.read();
    store.value = secretString('s2', 's1');

    // WHEN refresh is asked for, again at once, and again a minute later
    const first = await secrets.refresh();
    clock = 59_999;
    const tooSoon = await secrets.refresh();
    clock = 60_000;
    const later = await secrets.refresh();

    // THEN Secrets Manager was read for the first and the last only
    expect(first).toEqual(['s2', 's1']);
    expect(tooSoon).toBeUndefined();
    expect(later).toEqual(['s2', 's1']);
    expect(store.fetchCount).toBe(3);
    await expect(secrets.read()).resolves.toEqual(['s2', 's1']);
  });

  it('shares one re-read between concurrent refreshes', async () => {
    const store = new FakeSecretStore(secretString('s1'));
    const secrets = createWebhookSecrets(store, { secretArn: SECRET_ARN, now: () => 0 });

    const results = await Promise.all([secrets.refresh(), secrets.refresh(), secrets.refresh()]);

    expect(results).toEqual([['s1'], ['s1'], ['s1']]);
    expect(store.fetchCount).toBe(1);
  });

  it('fails with WebhookSecretUnavailableError naming the secret when Secrets Manager cannot be read', async () => {
    const store = new FakeSecretStore(Object.assign(new Error('User is not authorized to perform secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' }));
    const secrets = createWebhookSecrets(store, { secretArn: SECRET_ARN });

    const failure = secrets.read();

    await expect(failure).rejects.toThrow(WebhookSecretUnavailableError);
    await expect(failure).rejects.toThrow(`Webhook secret ${SECRET_ARN} could not be read (AccessDeniedException`);
  });
});
