import { ORG, REPO, field, registerRunner, startFixture, type Fixture } from './helpers';

const REPO_RUNNERS = `/repos/${ORG}/${REPO}/actions/runners`;
const ORG_RUNNERS = `/orgs/${ORG}/actions/runners`;

describe('fake GitHub: self-hosted JIT runners', () => {
  let fixture: Fixture;
  let auth: string;
  beforeEach(async () => {
    fixture = await startFixture();
    auth = `token ${await fixture.token()}`;
  });
  afterEach(() => fixture.github.stop());

  const generate = (path: string, body: unknown) => fixture.call('POST', `${path}/generate-jitconfig`, { auth, body });

  it('registers an offline runner and returns an opaque single-use JIT config', async () => {
    const response = await generate(REPO_RUNNERS, { name: 'fleet-1-1', runner_group_id: 1, labels: ['self-hosted', 'linux', 'fargate'], work_folder: '_work' });

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      runner: {
        name: 'fleet-1-1',
        os: 'unknown',
        status: 'offline',
        busy: false,
        labels: [
          { name: 'self-hosted', type: 'read-only' },
          { name: 'linux', type: 'custom' },
          { name: 'fargate', type: 'custom' },
        ],
      },
    });
    const config = field(response.body, 'encoded_jit_config');
    expect(config).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect(Object.keys(JSON.parse(Buffer.from(config, 'base64').toString('utf8')) as object)).toEqual(['.runner', '.credentials', '.credentials_rsaparams']);
    expect(fixture.github.runners()).toMatchObject([{ name: 'fleet-1-1', status: 'offline', scope: { type: 'repository', repo: REPO } }]);
  });

  it('rejects a name already registered in the same scope with 409, and accepts it in another scope', async () => {
    await registerRunner(fixture, 'fleet-2-1');

    const duplicate = await generate(REPO_RUNNERS, { name: 'FLEET-2-1', runner_group_id: 1, labels: ['fargate'] });
    const inOrg = await generate(ORG_RUNNERS, { name: 'fleet-2-1', runner_group_id: 1, labels: ['fargate'] });

    expect(duplicate.status).toBe(409);
    expect(field(duplicate.body, 'message')).toBe('Already exists - A runner with the name FLEET-2-1 already exists.');
    expect(inOrg.status).toBe(201);
  });

  it.each([
    ['a missing runner_group_id', { name: 'r', labels: ['x'] }, 'Invalid input: object is missing required key: runner_group_id'],
    ['no labels', { name: 'r', runner_group_id: 1, labels: [] }, "For 'labels'"],
    ['101 labels', { name: 'r', runner_group_id: 1, labels: Array.from({ length: 101 }, (_, i) => `l${i}`) }, "For 'labels'"],
    ['a name that is not a string', { name: 7, runner_group_id: 1, labels: ['x'] }, "For 'name'"],
  ])('rejects a body with %s with 422', async (_case, body, message) => {
    const response = await generate(REPO_RUNNERS, body);

    expect(response.status).toBe(422);
    expect(field(response.body, 'message')).toContain(message);
    expect(fixture.github.runners()).toEqual([]);
  });

  it('rejects a body that is not JSON with 400', async () => {
    const response = await fetch(`${fixture.url}${REPO_RUNNERS}/generate-jitconfig`, { method: 'POST', headers: { authorization: auth }, body: '{name' });

    expect(response.status).toBe(400);
  });

  it('lists runners filtered by name, with total_count', async () => {
    await registerRunner(fixture, 'fleet-3-1');
    await registerRunner(fixture, 'fleet-3-2');

    const all = await fixture.call('GET', REPO_RUNNERS, { auth });
    const one = await fixture.call('GET', `${REPO_RUNNERS}?name=fleet-3-2`, { auth });

    expect(all.body).toMatchObject({ total_count: 2 });
    expect(one.body).toMatchObject({ total_count: 1, runners: [{ name: 'fleet-3-2' }] });
  });

  it('pages the runner list with a Link header', async () => {
    for (const n of [1, 2, 3]) await registerRunner(fixture, `fleet-4-${n}`);

    const first = await fixture.call('GET', `${REPO_RUNNERS}?per_page=2`, { auth });
    const second = await fixture.call('GET', `${REPO_RUNNERS}?per_page=2&page=2`, { auth });

    expect(first.body).toMatchObject({ total_count: 3, runners: [{ name: 'fleet-4-1' }, { name: 'fleet-4-2' }] });
    expect(first.headers.get('link')).toBe(
      `<${fixture.url}${REPO_RUNNERS}?per_page=2&page=2>; rel="next", <${fixture.url}${REPO_RUNNERS}?per_page=2&page=2>; rel="last"`,
    );
    expect(second.body).toMatchObject({ runners: [{ name: 'fleet-4-3' }] });
    expect(second.headers.get('link')).toContain('rel="prev"');
  });

  it('gets a runner by id in its scope only', async () => {
    const { id } = await registerRunner(fixture, 'fleet-5-1');

    const found = await fixture.call('GET', `${REPO_RUNNERS}/${id}`, { auth });
    const otherScope = await fixture.call('GET', `${ORG_RUNNERS}/${id}`, { auth });

    expect(found.body).toMatchObject({ id, name: 'fleet-5-1' });
    expect(otherScope.status).toBe(404);
  });

  it('deletes an idle runner with 204, then answers 404', async () => {
    const { id } = await registerRunner(fixture, 'fleet-6-1');

    const deleted = await fixture.call('DELETE', `${REPO_RUNNERS}/${id}`, { auth });
    const again = await fixture.call('DELETE', `${REPO_RUNNERS}/${id}`, { auth });

    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect(again.status).toBe(404);
    expect(fixture.github.events().map((event) => event.type)).toEqual(['runner-registered', 'runner-deleted']);
  });

  it('rejects deleting a runner that is running a job with 422', async () => {
    const { id, config } = await registerRunner(fixture, 'fleet-7-1');
    fixture.github.queueJob({ owner: ORG, repo: REPO, labels: ['self-hosted', 'fargate'], durationMs: 1000 });
    fixture.github.connectRunner(config);

    const response = await fixture.call('DELETE', `${REPO_RUNNERS}/${id}`, { auth });

    expect(response.status).toBe(422);
    expect(field(response.body, 'message')).toBe('Bad request - Runner "fleet-7-1" is still running a job"');
  });

  it('serves the organization scope with the same shapes', async () => {
    const created = await generate(ORG_RUNNERS, { name: 'org-1', runner_group_id: 3, labels: ['fargate'] });
    const id = (created.body as { runner: { id: number } }).runner.id;

    const listed = await fixture.call('GET', ORG_RUNNERS, { auth });
    const deleted = await fixture.call('DELETE', `${ORG_RUNNERS}/${id}`, { auth });

    expect(created.body).toMatchObject({ runner: { name: 'org-1', runner_group_id: 3 } });
    expect(listed.body).toMatchObject({ total_count: 1 });
    expect(deleted.status).toBe(204);
  });

  it('rejects a repository or organization the installation does not reach with 404', async () => {
    const repo = await fixture.call('GET', '/repos/someone/else/actions/runners', { auth });
    const org = await fixture.call('GET', '/orgs/another-org/actions/runners', { auth });

    expect([repo.status, org.status]).toEqual([404, 404]);
  });

  it('rejects an unknown runner group with 404 when the groups are configured', async () => {
    await fixture.github.stop();
    fixture = await startFixture({ runnerGroupIds: [1] });
    auth = `token ${await fixture.token()}`;

    const response = await generate(ORG_RUNNERS, { name: 'org-2', runner_group_id: 99999, labels: ['fargate'] });

    expect(response.status).toBe(404);
  });

  it('rejects runner administration without the permission with 403', async () => {
    await fixture.github.stop();
    fixture = await startFixture({
      installations: [{ id: 42, account: ORG, repositories: [`${ORG}/${REPO}`], permissions: { metadata: 'read', actions: 'read' } }],
    });
    auth = `token ${await fixture.token()}`;

    const response = await generate(REPO_RUNNERS, { name: 'r', runner_group_id: 1, labels: ['fargate'] });

    expect(response.status).toBe(403);
    expect(field(response.body, 'message')).toBe('Resource not accessible by integration');
  });
});
