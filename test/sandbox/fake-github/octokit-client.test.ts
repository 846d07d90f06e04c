// The product talks to GitHub with @octokit/auth-app + @octokit/request; this is the same client, unchanged,
// pointed at the fake like a GitHub Enterprise Server URL.
import { createAppAuth } from '@octokit/auth-app';
import { request } from '@octokit/request';
import { APP_ID, INSTALLATION_ID, ORG, REPO, privateKeyPem, publicKey } from './helpers';
import { createFakeGitHub, type FakeGitHub } from '../../../sandbox/fake-github';

describe('fake GitHub with the real octokit client', () => {
  let github: FakeGitHub;
  let baseUrl: string;
  beforeEach(async () => {
    // Real time: octokit signs its JWTs with the system clock.
    github = createFakeGitHub({
      appId: APP_ID,
      appPublicKey: publicKey,
      installations: [{ id: INSTALLATION_ID, account: ORG, repositories: [`${ORG}/${REPO}`] }],
    });
    baseUrl = `${(await github.start()).url}/api/v3`;
  });
  afterEach(() => github.stop());

  const installationClient = () => {
    const auth = createAppAuth({ appId: APP_ID, privateKey: privateKeyPem, installationId: INSTALLATION_ID, request: request.defaults({ baseUrl }) });
    return { auth, client: request.defaults({ baseUrl, request: { hook: auth.hook } }) };
  };

  it('finds the installation with the App JWT and registers a JIT runner with the installation token', async () => {
    const auth = createAppAuth({ appId: APP_ID, privateKey: privateKeyPem, request: request.defaults({ baseUrl }) });
    const { token: jwt } = await auth({ type: 'app' });
    const { client } = installationClient();

    const installation = await request('GET /repos/{owner}/{repo}/installation', { baseUrl, owner: ORG, repo: REPO, headers: { authorization: `Bearer ${jwt}` } });
    const created = await client('POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig', {
      owner: ORG,
      repo: REPO,
      name: 'fleet-1-1',
      runner_group_id: 1,
      labels: ['self-hosted', 'linux', 'fargate'],
    });
    const listed = await client('GET /repos/{owner}/{repo}/actions/runners', { owner: ORG, repo: REPO, name: 'fleet-1-1' });

    expect(installation.data.id).toBe(INSTALLATION_ID);
    expect(created.status).toBe(201);
    expect(created.data.runner).toMatchObject({ name: 'fleet-1-1', status: 'offline', busy: false });
    expect(created.headers['x-ratelimit-resource']).toBe('core');
    expect(listed.data.total_count).toBe(1);
    expect(github.stats().calls).toMatchObject({
      'POST /app/installations/{installation_id}/access_tokens': 1,
      'POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig': 1,
    });
  });

  it('fails with an HttpError carrying the status and message of GitHub on a duplicate runner name', async () => {
    const { client } = installationClient();
    const body = { owner: ORG, repo: REPO, name: 'fleet-2-1', runner_group_id: 1, labels: ['fargate'] };
    await client('POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig', body);

    const duplicate = await client('POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig', body).catch((error: unknown) => error);

    // @octokit/request throws its RequestError, named HttpError.
    expect(duplicate).toMatchObject({ name: 'HttpError', status: 409, message: expect.stringContaining('Already exists - A runner with the name fleet-2-1 already exists.') as unknown });
  });

  it('deletes a runner (204) and reads a queued job', async () => {
    const { client } = installationClient();
    const created = await client('POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig', { owner: ORG, repo: REPO, name: 'fleet-3-1', runner_group_id: 1, labels: ['fargate'] });
    const job = github.queueJob({ owner: ORG, repo: REPO, labels: ['self-hosted', 'gpu'], durationMs: 1000 });

    const deleted = await client('DELETE /repos/{owner}/{repo}/actions/runners/{runner_id}', { owner: ORG, repo: REPO, runner_id: created.data.runner.id });
    const read = await client('GET /repos/{owner}/{repo}/actions/jobs/{job_id}', { owner: ORG, repo: REPO, job_id: job.id });

    expect(deleted.status).toBe(204);
    expect(read.data).toMatchObject({ id: job.id, status: 'queued', conclusion: null, runner_id: null, labels: ['self-hosted', 'gpu'], run_attempt: 1 });
  });
});
