import { readRedeliveryConfig } from '../../../lambdas/redelivery/config';
import { ENV } from '../../../statemachine/contracts';
import { API_URL, APP_ID } from '../support/github-fixtures';
import { PRIVATE_KEY_SECRET_ARN } from '../support/env';

/** The environment the stack gives the redelivery function. */
function redeliveryEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    [ENV.gitHubAppId]: String(APP_ID),
    [ENV.gitHubApiUrl]: API_URL,
    [ENV.privateKeySecretArn]: PRIVATE_KEY_SECRET_ARN,
    [ENV.redeliveryWindowMinutes]: '120',
    [ENV.maxRedeliveries]: '3',
    ...overrides,
  };
}

describe('readRedeliveryConfig', () => {
  it('parses the environment the stack sets, with the bounds per run', () => {
    expect(readRedeliveryConfig(redeliveryEnv())).toEqual({
      gitHubAppId: APP_ID,
      gitHubApiUrl: API_URL,
      privateKeySecretArn: PRIVATE_KEY_SECRET_ARN,
      redeliveryWindowMinutes: 120,
      maxRedeliveries: 3,
      maxRedeliveriesPerRun: 50,
      maxJobChecksPerRun: 100,
      maxDeliveryPages: 20,
      minAttemptAgeSeconds: 60,
    });
  });

  it('defaults the window to 3 hours and the redeliveries to 5 when their variables are unset or empty', () => {
    const config = readRedeliveryConfig(redeliveryEnv({ [ENV.redeliveryWindowMinutes]: undefined, [ENV.maxRedeliveries]: '' }));

    expect(config).toMatchObject({ redeliveryWindowMinutes: 180, maxRedeliveries: 5 });
  });

  it('accepts a window of 0 minutes, which turns redelivery off', () => {
    expect(readRedeliveryConfig(redeliveryEnv({ [ENV.redeliveryWindowMinutes]: '0' })).redeliveryWindowMinutes).toBe(0);
  });

  it('accepts a GitHub Enterprise Server API URL', () => {
    expect(readRedeliveryConfig(redeliveryEnv({ [ENV.gitHubApiUrl]: 'https://github.example.com/api/v3/' })).gitHubApiUrl).toBe('https://github.example.com/api/v3');
  });

  it.each([ENV.gitHubAppId, ENV.gitHubApiUrl, ENV.privateKeySecretArn])('fails naming %s when it is missing', (variable) => {
    expect(() => readRedeliveryConfig(redeliveryEnv({ [variable]: undefined }))).toThrow(`Environment variable ${variable} is not set`);
  });

  it.each([
    [ENV.redeliveryWindowMinutes, '-1'],
    [ENV.redeliveryWindowMinutes, '4321'],
    [ENV.redeliveryWindowMinutes, 'three hours'],
    [ENV.maxRedeliveries, '0'],
    [ENV.maxRedeliveries, '2.5'],
    [ENV.gitHubApiUrl, 'api.github.com'],
    [ENV.privateKeySecretArn, 'github-app-key'],
  ])('fails naming %s when it holds %s', (variable, value) => {
    expect(() => readRedeliveryConfig(redeliveryEnv({ [variable]: value }))).toThrow(`Environment variable ${variable} is invalid`);
  });
});
