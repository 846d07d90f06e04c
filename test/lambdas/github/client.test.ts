import { inspect } from 'node:util';
import nock from 'nock';
import { GitHubRateLimitedError, GitHubUnavailableError, RunnerBusyError, RunnerNameTakenError } from '../../../lambdas/shared/errors';
import { aGitHubClient, captureLogs, decodeBearerJwt, expectTokenExchange, testKeyPair } from '../support/github-app';
import {
  API_URL,
  APP_ID,
  ENCODED_JIT_CONFIG,
  errorBodies,
  INSTALLATION_ID,
  INSTALLATION_TOKEN,
  installationResponse,
  jitConfigResponse,
  jobResponse,
  runnersResponse,
} from '../support/github-fixtures';
import { useNock } from '../support/nock';

const repository = { owner: 'octo-org', repo: 'hello-world', installationId: INSTALLATION_ID };
const repoTarget = { type: 'repository' as const, ...repository };
const orgTarget = { type: 'organization' as const, org: 'octo-org', installationId: INSTALLATION_ID };
const runner = { name: 'ecs-1234567-1', labels: ['fargate', 'self-hosted', 'linux', 'x64'], runnerGroupId: 1, workFolder: '_work' };
const FROZEN_NOW_MS = Date.parse('2026-12-04T16:00:00Z');

useNock();

describe('App authentication', () => {
  it('signs a JWT GitHub accepts: RS256 with the App key, issued by the App id, iat in the past, exp at most 10 minutes ahead', async () => {
    // GIVEN a client whose private key was generated for this test
    let authorization: string | undefined;
    nock(API_URL)
      .get('/repos/octo-org/hello-world/installation')
      .reply(function reply() {
        authorization = this.req.headers['authorization'];
        return [200, installationResponse()];
      });
    const nowSeconds = Math.floor(Date.now() / 1000);

    // WHEN it looks up an installation with the App JWT
    await aGitHubClient().getInstallationId({ owner: 'octo-org', repo: 'hello-world' });

    // THEN the JWT verifies with the public key and carries claims GitHub accepts
    const jwt = decodeBearerJwt(authorization, testKeyPair().publicKey);
    expect(jwt.verified).toBe(true);
    expect(jwt.header.alg).toBe('RS256');
    expect(String(jwt.payload.iss)).toBe(String(APP_ID));
    expect(jwt.payload.iat).toBeLessThanOrEqual(nowSeconds);
    expect(jwt.payload.iat).toBeGreaterThanOrEqual(nowSeconds - 60);
    expect(jwt.payload.exp).toBeLessThanOrEqual(nowSeconds + 600);
    expect(jwt.payload.exp - jwt.payload.iat).toBeLessThanOrEqual(600);
  });

  it('fetches an installation token once and reuses it for later calls', async () => {
    // GIVEN GitHub issues one token for the installation
    const authorizations: (string | undefined)[] = [];
    expectTokenExchange();
    nock(API_URL)
      .get('/repos/octo-org/hello-world/actions/jobs/1234567')
      .times(2)
      .reply(function reply() {
        authorizations.push(this.req.headers['authorization']);
        return [200, jobResponse()];
      });
    const github = aGitHubClient();

    // WHEN two calls use the installation
    await github.getJob(repository, 1234567);
    await github.getJob(repository, 1234567);

    // THEN both carry the same token and the exchange happened once
    expect(authorizations).toEqual([`token ${INSTALLATION_TOKEN}`, `token ${INSTALLATION_TOKEN}`]);
    expect(github.callCounts()).toEqual({ 'POST /app/installations/{installation_id}/access_tokens': 1, 'GET /repos/{owner}/{repo}/actions/jobs/{job_id}': 2 });
  });

  it('reads the private key lazily, once, and again only after a failed read', async () => {
    // GIVEN a key reader that fails the first time
    const privateKey = jest.fn<Promise<string>, []>().mockRejectedValueOnce(new Error('Secrets Manager throttled')).mockResolvedValue(testKeyPair().privateKey);
    const github = aGitHubClient({ privateKey });
    expect(privateKey).not.toHaveBeenCalled();
    nock(API_URL).get('/repos/octo-org/hello-world/installation').reply(200, installationResponse()).get('/orgs/octo-org/installation').reply(200, installationResponse());

    // WHEN three lookups run, the first failing on the key read
    await expect(github.getInstallationId({ owner: 'octo-org', repo: 'hello-world' })).rejects.toThrow('Secrets Manager throttled');
    await github.getInstallationId({ owner: 'octo-org', repo: 'hello-world' });
    await github.getInstallationId({ org: 'octo-org' });

    // THEN the key was read twice in all: the failure was not cached, the success was
    expect(privateKey).toHaveBeenCalledTimes(2);
  });
});

describe('getInstallationId', () => {
  it('looks a repository installation up with the App JWT once and then serves it from memory', async () => {
    nock(API_URL).get('/repos/octo-org/hello-world/installation').reply(200, installationResponse(77));
    const github = aGitHubClient();

    const first = await github.getInstallationId({ owner: 'octo-org', repo: 'hello-world' });
    const second = await github.getInstallationId({ owner: 'Octo-Org', repo: 'Hello-World' });

    expect([first, second]).toEqual([77, 77]);
    expect(github.callCounts()).toEqual({ 'GET /repos/{owner}/{repo}/installation': 1 });
  });

  it('looks an organization installation up on the organization endpoint', async () => {
    nock(API_URL).get('/orgs/octo-org/installation').reply(200, installationResponse(78));

    await expect(aGitHubClient().getInstallationId({ org: 'octo-org' })).resolves.toBe(78);
  });

  it('fails with a message that says to install the App when GitHub answers 404', async () => {
    nock(API_URL).get('/repos/octo-org/elsewhere/installation').reply(404, errorBodies.notFound);

    await expect(aGitHubClient().getInstallationId({ owner: 'octo-org', repo: 'elsewhere' })).rejects.toThrow(`The GitHub App ${APP_ID} is not installed on octo-org/elsewhere`);
  });
});

describe('generateJitConfig', () => {
  it('registers a repository runner with the name, labels, group and work folder', async () => {
    expectTokenExchange();
    nock(API_URL)
      .post('/repos/octo-org/hello-world/actions/runners/generate-jitconfig', { name: 'ecs-1234567-1', labels: ['fargate', 'self-hosted', 'linux', 'x64'], runner_group_id: 1, work_folder: '_work' })
      .reply(201, jitConfigResponse('ecs-1234567-1', 23));

    const config = await aGitHubClient().generateJitConfig(repoTarget, runner);

    expect(config).toEqual({ runnerId: 23, runnerName: 'ecs-1234567-1', encodedJitConfig: ENCODED_JIT_CONFIG });
  });

  it('registers an organization runner in the configured runner group', async () => {
    expectTokenExchange();
    nock(API_URL)
      .post('/orgs/octo-org/actions/runners/generate-jitconfig', { name: 'ecs-1234567-1', labels: ['fargate', 'self-hosted', 'linux', 'x64'], runner_group_id: 4, work_folder: '_work' })
      .reply(201, jitConfigResponse('ecs-1234567-1', 24));

    const config = await aGitHubClient().generateJitConfig(orgTarget, { ...runner, runnerGroupId: 4 });

    expect(config.runnerId).toBe(24);
  });

  it('rejects a taken runner name (409) as RunnerNameTaken, the duplicate-event guard', async () => {
    expectTokenExchange();
    nock(API_URL).post('/repos/octo-org/hello-world/actions/runners/generate-jitconfig').reply(409, errorBodies.nameTaken('ecs-1234567-1'));

    const error = await aGitHubClient().generateJitConfig(repoTarget, runner).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(RunnerNameTakenError);
    expect(error).toMatchObject({ name: 'RunnerNameTaken', runnerName: 'ecs-1234567-1' });
    expect(inspect(error, { depth: 10 })).not.toContain(INSTALLATION_TOKEN);
  });

  it('rejects a body without the JIT config naming the field, not its value', async () => {
    expectTokenExchange();
    nock(API_URL)
      .post('/repos/octo-org/hello-world/actions/runners/generate-jitconfig')
      .reply(201, { runner: { id: 'not-a-number', name: 'ecs-1234567-1' }, encoded_jit_config: ENCODED_JIT_CONFIG });

    const error = await aGitHubClient().generateJitConfig(repoTarget, runner).catch((caught: unknown) => caught);

    expect(String(error)).toContain('runner.id');
    expect(inspect(error, { depth: 10 })).not.toContain(ENCODED_JIT_CONFIG);
  });
});

describe('runner registrations', () => {
  it('finds a runner by its exact name', async () => {
    expectTokenExchange();
    nock(API_URL)
      .get('/repos/octo-org/hello-world/actions/runners')
      .query({ name: 'ecs-1234567-1', per_page: '100' })
      .reply(200, runnersResponse([{ id: 23, name: 'ecs-1234567-1' }]));

    await expect(aGitHubClient().findRunnerByName(repoTarget, 'ecs-1234567-1')).resolves.toMatchObject({ id: 23, name: 'ecs-1234567-1' });
  });

  it('finds nothing when no runner has the name', async () => {
    expectTokenExchange();
    nock(API_URL).get('/orgs/octo-org/actions/runners').query(true).reply(200, runnersResponse([]));

    await expect(aGitHubClient().findRunnerByName(orgTarget, 'ecs-1234567-1')).resolves.toBeUndefined();
  });

  it.each([
    [204, 'deleted'],
    [404, 'not-found'],
  ])('answers GitHub %i on delete as %s', async (status, expected) => {
    expectTokenExchange();
    nock(API_URL)
      .delete('/repos/octo-org/hello-world/actions/runners/23')
      .reply(status, status === 404 ? errorBodies.notFound : undefined);

    await expect(aGitHubClient().deleteRunner(repoTarget, 23)).resolves.toBe(expected);
  });

  it('rejects the delete of a busy runner (422) as RunnerBusy', async () => {
    expectTokenExchange();
    nock(API_URL).delete('/orgs/octo-org/actions/runners/23').reply(422, errorBodies.runnerBusy('ecs-1234567-1'));

    await expect(aGitHubClient().deleteRunner(orgTarget, 23)).rejects.toBeInstanceOf(RunnerBusyError);
  });

  it('re-runs a job on the job rerun endpoint', async () => {
    expectTokenExchange();
    nock(API_URL).post('/repos/octo-org/hello-world/actions/jobs/1234567/rerun').reply(201, {});
    const github = aGitHubClient();

    await github.rerunJob(repository, 1234567);

    expect(github.callCounts()).toMatchObject({ 'POST /repos/{owner}/{repo}/actions/jobs/{job_id}/rerun': 1 });
  });
});

describe('GitHub failures', () => {
  it('rejects a primary rate limit (403, x-ratelimit-remaining 0) as GitHubRateLimited until the reset', async () => {
    // GIVEN a frozen clock and a limit that resets 90 s later
    expectTokenExchange();
    nock(API_URL)
      .get('/repos/octo-org/hello-world/actions/jobs/1234567')
      .reply(403, errorBodies.primaryRateLimit, {
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-used': '5000',
        'x-ratelimit-reset': String(FROZEN_NOW_MS / 1000 + 90),
        'x-ratelimit-resource': 'core',
      });

    // WHEN a call hits it
    const error = await aGitHubClient({ now: () => FROZEN_NOW_MS }).getJob(repository, 1234567).catch((caught: unknown) => caught);

    // THEN the error names the limit and the wait
    expect(error).toBeInstanceOf(GitHubRateLimitedError);
    expect(error).toMatchObject({ name: 'GitHubRateLimited', retryAfterSeconds: 90, route: 'GET /repos/{owner}/{repo}/actions/jobs/{job_id}' });
  });

  it('rejects a secondary rate limit (429, retry-after) as GitHubRateLimited for retry-after seconds', async () => {
    expectTokenExchange();
    nock(API_URL).post('/repos/octo-org/hello-world/actions/runners/generate-jitconfig').reply(429, errorBodies.secondaryRateLimit, { 'retry-after': '30' });

    await expect(aGitHubClient().generateJitConfig(repoTarget, runner)).rejects.toMatchObject({ name: 'GitHubRateLimited', retryAfterSeconds: 30 });
  });

  it('waits out a short rate limit in the Lambda, with jitter, and then succeeds', async () => {
    // GIVEN a secondary limit that clears after 2 s, and a client allowed to wait up to 10 s
    expectTokenExchange();
    const jitUrl = '/repos/octo-org/hello-world/actions/runners/generate-jitconfig';
    nock(API_URL).post(jitUrl).reply(403, errorBodies.secondaryRateLimit, { 'retry-after': '2' });
    nock(API_URL).post(jitUrl).reply(201, jitConfigResponse('ecs-1234567-1', 25));
    const waits: number[] = [];
    const frozenNow = Date.now();
    const client = aGitHubClient({ rateLimitWaitBudgetMs: 10_000, now: () => frozenNow, sleep: (ms) => Promise.resolve(void waits.push(ms)), random: () => 0.5 });

    // WHEN it registers a runner
    const result = await client.generateJitConfig(repoTarget, runner);

    // THEN it waited retry-after plus a little jitter (random 0.5 of a tenth), and the second try went through
    expect(waits).toEqual([2_100]);
    expect(result.runnerId).toBeGreaterThan(0);
    expect(client.callCounts()['POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig']).toBe(2);
  });

  it('tells whether a runner registration still exists, by a read', async () => {
    expectTokenExchange();
    nock(API_URL).get('/repos/octo-org/hello-world/actions/runners/23').reply(200, runnersResponse([{ id: 23, name: 'ecs-1234567-1' }]).runners[0]);
    nock(API_URL).get('/repos/octo-org/hello-world/actions/runners/24').reply(404, errorBodies.notFound);
    const client = aGitHubClient();

    await expect(client.runnerExists(repoTarget, 23)).resolves.toBe(true);
    await expect(client.runnerExists(repoTarget, 24)).resolves.toBe(false);
  });

  it('sends one call at a time after a rate limit, so waiting callers do not all get refused again', async () => {
    // GIVEN a limit that clears after 1 s
    expectTokenExchange();
    const path = '/repos/octo-org/hello-world/actions/jobs/1234567';
    nock(API_URL).get(path).reply(403, errorBodies.secondaryRateLimit, { 'retry-after': '1' });
    let inFlight = 0;
    let mostInFlight = 0;
    const scope = nock(API_URL).get(path).times(3).delay(20).reply(200, jobResponse({ status: 'queued' }));
    scope.on('request', () => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
    });
    scope.on('replied', () => {
      inFlight -= 1;
    });
    const client = aGitHubClient({
      rateLimitWaitBudgetMs: 10_000,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))),
      random: () => 0,
    });
    await client.getJob(repository, 1234567);

    // WHEN two more calls start together
    await Promise.all([client.getJob(repository, 1234567), client.getJob(repository, 1234567)]);

    // THEN each went alone: the first refusal put the container in single file
    expect(mostInFlight).toBeLessThanOrEqual(1);
    expect(client.callCounts()['GET /repos/{owner}/{repo}/actions/jobs/{job_id}']).toBe(4);
  });

  it('leaves a rate limit longer than its waiting budget to Step Functions', async () => {
    expectTokenExchange();
    nock(API_URL).post('/repos/octo-org/hello-world/actions/runners/generate-jitconfig').reply(429, errorBodies.secondaryRateLimit, { 'retry-after': '60' });
    const waits: number[] = [];
    const client = aGitHubClient({ rateLimitWaitBudgetMs: 40_000, sleep: (ms) => Promise.resolve(void waits.push(ms)), random: () => 0 });

    await expect(client.generateJitConfig(repoTarget, runner)).rejects.toMatchObject({ name: 'GitHubRateLimited', retryAfterSeconds: 60 });
    expect(waits).toEqual([]);
  });

  it('rejects a secondary rate limit without headers as GitHubRateLimited for a minute', async () => {
    expectTokenExchange();
    nock(API_URL).get('/repos/octo-org/hello-world/actions/jobs/1234567').reply(403, { ...errorBodies.secondaryRateLimit, status: '403' });

    await expect(aGitHubClient().getJob(repository, 1234567)).rejects.toMatchObject({ name: 'GitHubRateLimited', retryAfterSeconds: 60 });
  });

  it('rejects a permission error (403 without rate-limit signs) with its status, for the caller to translate', async () => {
    expectTokenExchange();
    nock(API_URL).get('/repos/octo-org/hello-world/actions/jobs/1234567').reply(403, errorBodies.forbidden);

    const error = await aGitHubClient().getJob(repository, 1234567).catch((caught: unknown) => caught);

    expect(error).not.toBeInstanceOf(GitHubRateLimitedError);
    expect(error).toMatchObject({ status: 403 });
  });

  it.each([500, 502])('rejects GitHub %i as GitHubUnavailable', async (status) => {
    expectTokenExchange();
    nock(API_URL).get('/repos/octo-org/hello-world/actions/jobs/1234567').reply(status, errorBodies.serverError);

    await expect(aGitHubClient().getJob(repository, 1234567)).rejects.toBeInstanceOf(GitHubUnavailableError);
  });

  it('rejects a network error as GitHubUnavailable', async () => {
    expectTokenExchange();
    nock(API_URL).get('/repos/octo-org/hello-world/actions/jobs/1234567').replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });

    await expect(aGitHubClient().getJob(repository, 1234567)).rejects.toMatchObject({ name: 'GitHubUnavailable' });
  });

  it('rejects a request that outlives its timeout as GitHubUnavailable', async () => {
    expectTokenExchange();
    nock(API_URL).get('/repos/octo-org/hello-world/actions/jobs/1234567').delay(500).reply(200, jobResponse());

    await expect(aGitHubClient({ timeoutMs: 50 }).getJob(repository, 1234567)).rejects.toMatchObject({ name: 'GitHubUnavailable' });
  });

  it('rejects a failed token exchange the same way as any call', async () => {
    nock(API_URL).post(`/app/installations/${INSTALLATION_ID}/access_tokens`).reply(503, errorBodies.serverError);

    await expect(aGitHubClient().getJob(repository, 1234567)).rejects.toMatchObject({ name: 'GitHubUnavailable', route: 'POST /app/installations/{installation_id}/access_tokens' });
  });

  it('logs failed calls by route and status, never with the token', async () => {
    const logs = captureLogs();
    expectTokenExchange();
    nock(API_URL).delete('/repos/octo-org/hello-world/actions/runners/23').reply(422, errorBodies.runnerBusy('ecs-1234567-1'));

    await aGitHubClient({ logger: logs.logger }).deleteRunner(repoTarget, 23).catch(() => undefined);

    expect(logs.lines.map((line) => JSON.parse(line) as unknown)).toContainEqual(expect.objectContaining({ route: 'DELETE /repos/{owner}/{repo}/actions/runners/{runner_id}', status: 422 }));
    expect(logs.text()).not.toContain(INSTALLATION_TOKEN);
  });
});
