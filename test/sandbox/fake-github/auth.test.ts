import { generateKeyPairSync } from 'node:crypto';
import { APP_ID, INSTALLATION_ID, ORG, REPO, appJwt, field, signJwt, startFixture, type Fixture } from './helpers';

describe('fake GitHub: App JWT and installation tokens', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await startFixture();
  });
  afterEach(() => fixture.github.stop());

  const nowSeconds = (): number => Math.floor(fixture.clock.now() / 1000);

  it('accepts a JWT signed with the App key and answers GET /app', async () => {
    const response = await fixture.call('GET', '/app', { auth: `Bearer ${fixture.jwt()}` });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: APP_ID, slug: 'fake-fleet-app', events: ['workflow_job'], installations_count: 1 });
  });

  it('accepts the App id as a string in iss, and a lowercase bearer scheme', async () => {
    const response = await fixture.call('GET', '/app', { auth: `bearer ${appJwt(fixture.clock.now(), { iss: String(APP_ID) })}` });

    expect(response.status).toBe(200);
  });

  it('rejects a JWT signed with another key', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const iat = nowSeconds() - 30;

    const response = await fixture.call('GET', '/app', { auth: `Bearer ${signJwt({ iat, exp: iat + 600, iss: APP_ID }, { key: other })}` });

    expect(response.status).toBe(401);
    expect(response.body).toEqual({ message: 'A JSON web token could not be decoded', documentation_url: 'https://docs.github.com/rest', status: '401' });
  });

  it('rejects a JWT whose iss is another App', async () => {
    const response = await fixture.call('GET', '/app', { auth: `Bearer ${appJwt(fixture.clock.now(), { iss: APP_ID + 1 })}` });

    expect(response.status).toBe(401);
  });

  it('rejects an expired JWT with the message octokit recognises as clock skew', async () => {
    const iat = nowSeconds() - 700;

    const response = await fixture.call('GET', '/app', { auth: `Bearer ${signJwt({ iat, exp: iat + 600, iss: APP_ID })}` });

    expect(response.status).toBe(401);
    expect(field(response.body, 'message')).toMatch(/'Expiration time' claim \('exp'\) must be a numeric value/);
  });

  it('rejects a JWT whose exp is more than 10 minutes ahead', async () => {
    const iat = nowSeconds();

    const response = await fixture.call('GET', '/app', { auth: `Bearer ${signJwt({ iat, exp: iat + 15 * 60, iss: APP_ID })}` });

    expect(response.status).toBe(401);
    expect(field(response.body, 'message')).toBe("'Expiration time' claim ('exp') is too far in the future");
  });

  it('rejects a JWT issued in the future beyond the tolerated skew', async () => {
    const iat = nowSeconds() + 120;

    const response = await fixture.call('GET', '/app', { auth: `Bearer ${signJwt({ iat, exp: iat + 300, iss: APP_ID })}` });

    expect(response.status).toBe(401);
    expect(field(response.body, 'message')).toMatch(/'Issued at' claim \('iat'\)/);
  });

  it('rejects a JWT signed with another algorithm', async () => {
    const iat = nowSeconds() - 30;
    const token = signJwt({ iat, exp: iat + 600, iss: APP_ID }, { header: { alg: 'none', typ: 'JWT' } });

    const response = await fixture.call('GET', '/app', { auth: `Bearer ${token}` });

    expect(response.status).toBe(401);
  });

  it('finds the installation of a repository and of an organization', async () => {
    const byRepo = await fixture.call('GET', `/repos/${ORG}/${REPO}/installation`, { auth: `Bearer ${fixture.jwt()}` });
    const byOrg = await fixture.call('GET', `/orgs/${ORG.toUpperCase()}/installation`, { auth: `Bearer ${fixture.jwt()}` });
    const unknown = await fixture.call('GET', '/repos/someone/else/installation', { auth: `Bearer ${fixture.jwt()}` });

    expect(byRepo.status).toBe(200);
    expect(byRepo.body).toMatchObject({ id: INSTALLATION_ID, app_id: APP_ID, account: { login: ORG, type: 'Organization' }, repository_selection: 'selected' });
    expect(byOrg.body).toMatchObject({ id: INSTALLATION_ID });
    expect(unknown.status).toBe(404);
  });

  it('issues a one-hour installation token that authenticates installation requests', async () => {
    const response = await fixture.call('POST', `/app/installations/${INSTALLATION_ID}/access_tokens`, { auth: `Bearer ${fixture.jwt()}` });

    expect(response.status).toBe(201);
    expect(field(response.body, 'token')).toMatch(/^ghs_[A-Za-z0-9]{36}$/);
    expect(response.body).toMatchObject({ expires_at: '2026-12-04T11:00:00Z', repository_selection: 'selected', permissions: { administration: 'write' } });
    const runners = await fixture.call('GET', `/repos/${ORG}/${REPO}/actions/runners`, { auth: `Bearer ${field(response.body, 'token')}` });
    expect(runners.status).toBe(200);
  });

  it('rejects an unknown token, an expired token and a JWT on installation endpoints with 401', async () => {
    const token = await fixture.token();
    const path = `/repos/${ORG}/${REPO}/actions/runners`;

    const unknown = await fixture.call('GET', path, { auth: 'token ghs_notatokenthisfakehasissued0000000000' });
    const jwt = await fixture.call('GET', path, { auth: `Bearer ${fixture.jwt()}` });
    const missing = await fixture.call('GET', path);
    fixture.clock.advance(60 * 60 * 1000);
    const expired = await fixture.call('GET', path, { auth: `token ${token}` });

    expect([unknown.status, jwt.status, missing.status, expired.status]).toEqual([401, 401, 401, 401]);
    expect(field(unknown.body, 'message')).toBe('Bad credentials');
    expect(field(missing.body, 'message')).toBe('Requires authentication');
  });

  it('rejects an installation token on App endpoints', async () => {
    const response = await fixture.call('GET', '/app', { auth: `Bearer ${await fixture.token()}` });

    expect(response.status).toBe(401);
  });

  it('rejects a token request for an unknown installation with 404', async () => {
    const response = await fixture.call('POST', '/app/installations/999/access_tokens', { auth: `Bearer ${fixture.jwt()}` });

    expect(response.status).toBe(404);
  });
});
