import { inspect } from 'node:util';
import nock from 'nock';
import { nextCursorOf } from '../../../lambdas/github/client';
import { GitHubRateLimitedError, GitHubUnavailableError } from '../../../lambdas/shared/errors';
import { aGitHubClient, captureLogs, decodeBearerJwt, testKeyPair } from '../support/github-app';
import { API_URL, APP_ID, errorBodies, INSTALLATION_ID } from '../support/github-fixtures';
import { useNock } from '../support/nock';

useNock();

const FROZEN_NOW_MS = Date.parse('2026-12-04T16:00:00Z');
const DELIVERY_GUID = '0b989ba4-242f-11e5-81e1-c7b6966d2516';

/** One delivery as GET /app/hook/deliveries lists it (docs.github.com/rest/apps/webhooks). */
function deliveryJson(overrides: Record<string, unknown> = {}) {
  return {
    id: 12345678,
    guid: DELIVERY_GUID,
    delivered_at: '2026-12-04T15:58:04Z',
    redelivery: false,
    duration: 0.27,
    status: 'Invalid HTTP Response: 502',
    status_code: 502,
    event: 'workflow_job',
    action: 'queued',
    installation_id: INSTALLATION_ID,
    repository_id: 1296269,
    throttled_at: null,
    ...overrides,
  };
}

const payload = { action: 'queued', workflow_job: { id: 1234567, status: 'queued' }, repository: { name: 'hello-world', owner: { login: 'octo-org' } }, installation: { id: INSTALLATION_ID } };

function linkTo(cursor: string, rel = 'next'): string {
  return `<${API_URL}/app/hook/deliveries?per_page=100&cursor=${cursor}>; rel="${rel}"`;
}

describe('listHookDeliveries', () => {
  it('reads the first page as the App, with a JWT GitHub accepts, 100 per page, and returns the next cursor', async () => {
    // GIVEN GitHub answers a first page and a Link to the next one
    let authorization: string | undefined;
    nock(API_URL)
      .get('/app/hook/deliveries')
      .query({ per_page: '100' })
      .reply(function reply() {
        authorization = this.req.headers['authorization'];
        return [200, [deliveryJson(), deliveryJson({ id: 12345677, status: 'OK', status_code: 202 })], { link: linkTo('v1_12345676') }];
      });
    const github = aGitHubClient();

    // WHEN the client lists the deliveries
    const page = await github.listHookDeliveries(undefined);

    // THEN it authenticated with the App JWT (no installation token exchange) and parsed the page
    const jwt = decodeBearerJwt(authorization, testKeyPair().publicKey);
    expect(authorization).toMatch(/^bearer /);
    expect(jwt.verified).toBe(true);
    expect(String(jwt.payload.iss)).toBe(String(APP_ID));
    expect(page.nextCursor).toBe('v1_12345676');
    expect(page.deliveries).toEqual([
      expect.objectContaining({ id: 12345678, guid: DELIVERY_GUID, status_code: 502, redelivery: false, event: 'workflow_job', action: 'queued', installation_id: INSTALLATION_ID }),
      expect.objectContaining({ id: 12345677, status: 'OK', status_code: 202 }),
    ]);
    expect(github.callCounts()).toEqual({ 'GET /app/hook/deliveries': 1 });
  });

  it('passes the cursor of a later page, and answers no cursor on the last page', async () => {
    nock(API_URL).get('/app/hook/deliveries').query({ per_page: '100', cursor: 'v1_12345676' }).reply(200, [deliveryJson({ id: 12345676 })]);

    const page = await aGitHubClient().listHookDeliveries('v1_12345676');

    expect(page.deliveries.map((delivery) => delivery.id)).toEqual([12345676]);
    expect(page.nextCursor).toBeUndefined();
  });

  it('accepts deliveries without action, installation or repository (events such as ping)', async () => {
    nock(API_URL)
      .get('/app/hook/deliveries')
      .query(true)
      .reply(200, [deliveryJson({ event: 'ping', action: null, installation_id: null, repository_id: null })]);

    const { deliveries } = await aGitHubClient().listHookDeliveries(undefined);

    expect(deliveries).toEqual([expect.objectContaining({ event: 'ping', action: null, installation_id: null })]);
  });

  it('rejects a body that is not a list of deliveries, naming the fields at fault', async () => {
    nock(API_URL).get('/app/hook/deliveries').query(true).reply(200, [deliveryJson({ guid: 42 })]);

    await expect(aGitHubClient().listHookDeliveries(undefined)).rejects.toThrow('GitHub answered GET /app/hook/deliveries with an unexpected body (fields: 0.guid).');
  });
});

describe('nextCursorOf', () => {
  it.each([
    ['the next link among others', `${linkTo('v1_1', 'prev')}, ${linkTo('v1_9')}, ${linkTo('v1_0', 'first')}`, 'v1_9'],
    ['a link without a cursor', `<${API_URL}/app/hook/deliveries?per_page=100&page=2>; rel="next"`, undefined],
    ['no next link', linkTo('v1_1', 'prev'), undefined],
    ['no Link header', undefined, undefined],
  ])('reads %s', (_case, link, expected) => {
    expect(nextCursorOf(link)).toBe(expected);
  });
});

describe('getHookDeliveryPayload', () => {
  it('returns the payload GitHub sent, read as the App', async () => {
    let authorization: string | undefined;
    nock(API_URL)
      .get('/app/hook/deliveries/12345678')
      .reply(function reply() {
        authorization = this.req.headers['authorization'];
        return [200, { ...deliveryJson(), url: 'https://relay.example.com/', request: { headers: { 'X-GitHub-Event': 'workflow_job' }, payload }, response: { headers: {}, payload: null } }];
      });

    await expect(aGitHubClient().getHookDeliveryPayload(12345678)).resolves.toEqual(payload);
    expect(decodeBearerJwt(authorization, testKeyPair().publicKey).verified).toBe(true);
  });

  it('returns undefined when the delivery carries no request', async () => {
    nock(API_URL).get('/app/hook/deliveries/12345678').reply(200, { ...deliveryJson(), request: null });

    await expect(aGitHubClient().getHookDeliveryPayload(12345678)).resolves.toBeUndefined();
  });

  it('rejects an unknown delivery with GitHub 404 for the caller to handle', async () => {
    nock(API_URL).get('/app/hook/deliveries/1').reply(404, errorBodies.notFound);

    await expect(aGitHubClient().getHookDeliveryPayload(1)).rejects.toMatchObject({ status: 404 });
  });
});

describe('redeliverHookDelivery', () => {
  it('asks GitHub for a new attempt of the delivery, as the App', async () => {
    let authorization: string | undefined;
    nock(API_URL)
      .post('/app/hook/deliveries/12345678/attempts')
      .reply(function reply() {
        authorization = this.req.headers['authorization'];
        return [202, {}];
      });
    const github = aGitHubClient();

    await github.redeliverHookDelivery(12345678);

    expect(decodeBearerJwt(authorization, testKeyPair().publicKey).verified).toBe(true);
    expect(github.callCounts()).toEqual({ 'POST /app/hook/deliveries/{delivery_id}/attempts': 1 });
  });

  it('rejects a secondary rate limit as GitHubRateLimited for retry-after seconds', async () => {
    nock(API_URL).post('/app/hook/deliveries/12345678/attempts').reply(429, errorBodies.secondaryRateLimit, { 'retry-after': '45' });

    const error = await aGitHubClient().redeliverHookDelivery(12345678).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(GitHubRateLimitedError);
    expect(error).toMatchObject({ retryAfterSeconds: 45, route: 'POST /app/hook/deliveries/{delivery_id}/attempts' });
  });

  it('rejects a delivery GitHub will not redeliver (422) with its status', async () => {
    nock(API_URL).post('/app/hook/deliveries/12345678/attempts').reply(422, { message: 'Validation Failed', status: '422' });

    await expect(aGitHubClient().redeliverHookDelivery(12345678)).rejects.toMatchObject({ status: 422 });
  });
});

describe('hook delivery failures', () => {
  it('rejects the App primary rate limit on the list as GitHubRateLimited until the reset', async () => {
    nock(API_URL)
      .get('/app/hook/deliveries')
      .query(true)
      .reply(403, { ...errorBodies.primaryRateLimit, message: 'API rate limit exceeded for app ID 123456.' }, {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(FROZEN_NOW_MS / 1000 + 120),
      });

    await expect(aGitHubClient({ now: () => FROZEN_NOW_MS }).listHookDeliveries(undefined)).rejects.toMatchObject({ name: 'GitHubRateLimited', retryAfterSeconds: 120 });
  });

  it.each([500, 502, 503])('rejects GitHub %i as GitHubUnavailable', async (status) => {
    nock(API_URL).get('/app/hook/deliveries').query(true).reply(status, errorBodies.serverError);

    await expect(aGitHubClient().listHookDeliveries(undefined)).rejects.toBeInstanceOf(GitHubUnavailableError);
  });

  it('rejects a network error on the payload read as GitHubUnavailable', async () => {
    nock(API_URL).get('/app/hook/deliveries/12345678').replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });

    await expect(aGitHubClient().getHookDeliveryPayload(12345678)).rejects.toMatchObject({ name: 'GitHubUnavailable', route: 'GET /app/hook/deliveries/{delivery_id}' });
  });

  it('never puts the App JWT in an error or a log line', async () => {
    let jwt = '';
    const logs = captureLogs();
    nock(API_URL)
      .post('/app/hook/deliveries/12345678/attempts')
      .reply(function reply() {
        jwt = (this.req.headers['authorization'] ?? '').replace(/^bearer /i, '');
        return [401, { message: 'A JSON web token could not be decoded', status: '401' }];
      });

    const error = await aGitHubClient({ logger: logs.logger }).redeliverHookDelivery(12345678).catch((caught: unknown) => caught);

    expect(jwt.length).toBeGreaterThan(100);
    expect(error).toMatchObject({ status: 401 });
    expect(inspect(error, { depth: 10 })).not.toContain(jwt);
    expect(logs.text()).not.toContain(jwt);
  });
});
