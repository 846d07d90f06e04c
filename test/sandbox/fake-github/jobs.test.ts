import { RunnerConnectionError, RunnerSessionEndedError } from '../../../sandbox/fake-github';
import { ORG, REPO, field, registerRunner, startFixture, type Fixture } from './helpers';

const LABELS = ['self-hosted', 'linux', 'fargate'];

describe('fake GitHub: jobs and runner sessions', () => {
  let fixture: Fixture;
  let auth: string;
  beforeEach(async () => {
    fixture = await startFixture();
    auth = `token ${await fixture.token()}`;
  });
  afterEach(() => fixture.github.stop());

  const queue = (labels = LABELS) => fixture.github.queueJob({ owner: ORG, repo: REPO, labels, durationMs: 5000 });
  const actions = async () => {
    await fixture.github.settled();
    return fixture.receiver.requests.map((request) => (JSON.parse(request.body) as { action: string; workflow_job: { id: number } }))
      .map((payload) => `${payload.workflow_job.id}:${payload.action}`);
  };

  it('queues a job with new ids and serves it through the REST API', async () => {
    const job = queue();

    const response = await fixture.call('GET', `/repos/${ORG}/${REPO}/actions/jobs/${job.id}`, { auth });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: job.id,
      run_id: job.runId,
      run_attempt: 1,
      status: 'queued',
      conclusion: null,
      labels: LABELS,
      runner_id: null,
      runner_name: null,
      name: 'build',
      created_at: '2026-12-04T10:00:00Z',
      completed_at: null,
      html_url: `https://github.com/${ORG}/${REPO}/actions/runs/${job.runId}/job/${job.id}`,
    });
    expect(field(response.body, 'head_sha')).toMatch(/^[0-9a-f]{40}$/);
    expect(await actions()).toEqual([`${job.id}:queued`]);
  });

  it('rejects a job id from another repository with 404', async () => {
    const job = queue();

    const response = await fixture.call('GET', `/repos/${ORG}/other-repo/actions/jobs/${job.id}`, { auth });

    expect(response.status).toBe(404);
  });

  it('assigns a queued job to a runner that comes online with covering labels', async () => {
    const job = queue(['self-hosted', 'Linux', 'X64', 'fargate']);
    const { config } = await registerRunner(fixture, 'fleet-1-1', ['fargate']);
    fixture.clock.advance(2000);

    const session = fixture.github.connectRunner(config);
    const assigned = await session.nextJob();

    expect(assigned).toMatchObject({ id: job.id, owner: ORG, repo: REPO, durationMs: 5000 });
    expect(session.state).toBe('busy');
    expect(fixture.github.job(job.id)).toMatchObject({ status: 'in_progress', runnerName: 'fleet-1-1', startedAtMs: job.queuedAtMs + 2000 });
    const rest = await fixture.call('GET', `/repos/${ORG}/${REPO}/actions/jobs/${job.id}`, { auth });
    expect(rest.body).toMatchObject({ status: 'in_progress', runner_name: 'fleet-1-1', runner_group_name: 'Default', started_at: '2026-12-04T10:00:02Z' });
    expect(await actions()).toEqual([`${job.id}:queued`, `${job.id}:in_progress`]);
  });

  it('assigns a job queued later to a runner already waiting', async () => {
    const { config } = await registerRunner(fixture, 'fleet-2-1');
    const session = fixture.github.connectRunner(config);
    const next = session.nextJob();

    const job = queue();

    await expect(next).resolves.toMatchObject({ id: job.id });
  });

  it('gives a runner launched for one job whichever matching job is queued first, as GitHub does', async () => {
    const first = queue();
    const second = queue();
    const forSecond = await registerRunner(fixture, `fleet-${second.id}-1`);
    const forFirst = await registerRunner(fixture, `fleet-${first.id}-1`);

    const runnerForSecond = fixture.github.connectRunner(forSecond.config);
    const runnerForFirst = fixture.github.connectRunner(forFirst.config);

    await expect(runnerForSecond.nextJob()).resolves.toMatchObject({ id: first.id });
    await expect(runnerForFirst.nextJob()).resolves.toMatchObject({ id: second.id });
  });

  it('leaves a job queued when no runner covers its labels', async () => {
    const job = queue(['self-hosted', 'gpu']);
    const { config } = await registerRunner(fixture, 'fleet-3-1', ['fargate']);

    const session = fixture.github.connectRunner(config);

    expect(session.state).toBe('idle');
    expect(fixture.github.job(job.id)?.status).toBe('queued');
  });

  it('does not give an arm64 runner a job that asks for X64', async () => {
    const job = queue(['self-hosted', 'X64']);
    const { config } = await registerRunner(fixture, 'fleet-4-1', ['fargate']);

    fixture.github.connectRunner(config, { architecture: 'arm64' });

    expect(fixture.github.job(job.id)?.status).toBe('queued');
    expect(fixture.github.runners()[0]?.labels).toEqual(['self-hosted', 'Linux', 'ARM64', 'fargate']);
  });

  it('completes the job, sends the completed webhook and removes the ephemeral runner', async () => {
    const job = queue();
    const { id, config } = await registerRunner(fixture, 'fleet-5-1');
    const session = fixture.github.connectRunner(config);
    await session.nextJob();
    fixture.clock.advance(5000);

    session.completeJob('success');

    expect(fixture.github.job(job.id)).toMatchObject({ status: 'completed', conclusion: 'success', completedAtMs: job.queuedAtMs + 5000 });
    expect(session.state).toBe('finished');
    expect(fixture.github.runners()).toEqual([]);
    expect((await fixture.call('GET', `/repos/${ORG}/${REPO}/actions/runners/${id}`, { auth })).status).toBe(404);
    expect(await actions()).toEqual([`${job.id}:queued`, `${job.id}:in_progress`, `${job.id}:completed`]);
    const lifecycle = fixture.github.events().filter((event) => !event.type.startsWith('webhook-'));
    expect(lifecycle.map((event) => event.type)).toEqual([
      'job-queued',
      'runner-registered',
      'runner-online',
      'runner-assigned',
      'job-in-progress',
      'job-completed',
      'runner-deleted',
    ]);
  });

  it('fails the job when its runner disconnects mid-job, and leaves the registration offline', async () => {
    const job = queue();
    const { id, config } = await registerRunner(fixture, 'fleet-6-1');
    const session = fixture.github.connectRunner(config);
    await session.nextJob();

    const outcome = session.disconnect();

    expect(outcome).toEqual({ failedJobId: job.id });
    expect(fixture.github.job(job.id)).toMatchObject({ status: 'completed', conclusion: 'failure' });
    const runner = await fixture.call('GET', `/repos/${ORG}/${REPO}/actions/runners/${id}`, { auth });
    expect(runner.body).toMatchObject({ status: 'offline', busy: false });
    expect((await fixture.call('DELETE', `/repos/${ORG}/${REPO}/actions/runners/${id}`, { auth })).status).toBe(204);
  });

  it('leaves the job queued when a runner disconnects before taking one', async () => {
    const { config } = await registerRunner(fixture, 'fleet-7-1');
    const session = fixture.github.connectRunner(config);
    const waiting = session.nextJob();

    expect(session.disconnect()).toEqual({ failedJobId: null });
    const job = queue();

    await expect(waiting).rejects.toBeInstanceOf(RunnerSessionEndedError);
    expect(fixture.github.job(job.id)?.status).toBe('queued');
    expect(fixture.github.runners()).toMatchObject([{ name: 'fleet-7-1', status: 'offline' }]);
  });

  it('ends a waiting session when its registration is deleted', async () => {
    const { id, config } = await registerRunner(fixture, 'fleet-8-1');
    const session = fixture.github.connectRunner(config);
    const waiting = session.nextJob().catch((error: unknown) => error);

    await fixture.call('DELETE', `/repos/${ORG}/${REPO}/actions/runners/${id}`, { auth });

    expect(await waiting).toEqual(new RunnerSessionEndedError('Runner fleet-8-1 session ended: the runner registration was deleted'));
    expect(session.state).toBe('removed');
  });

  it('rejects a JIT config that was already used, deleted, or never issued', async () => {
    const used = await registerRunner(fixture, 'fleet-9-1');
    fixture.github.connectRunner(used.config);
    const deleted = await registerRunner(fixture, 'fleet-9-2');
    await fixture.call('DELETE', `/repos/${ORG}/${REPO}/actions/runners/${deleted.id}`, { auth });
    const forged = Buffer.from(JSON.stringify({ '.runner': 'eyJ9' })).toString('base64');

    expect(() => fixture.github.connectRunner(used.config)).toThrow(RunnerConnectionError);
    expect(() => fixture.github.connectRunner(deleted.config)).toThrow('has been deleted');
    expect(() => fixture.github.connectRunner(forged)).toThrow(RunnerConnectionError);
  });

  it('re-runs a completed job as a new queued attempt with a new id and a queued webhook', async () => {
    const job = queue();
    const { config } = await registerRunner(fixture, 'fleet-10-1');
    const session = fixture.github.connectRunner(config);
    await session.nextJob();
    session.disconnect();

    const response = await fixture.call('POST', `/repos/${ORG}/${REPO}/actions/jobs/${job.id}/rerun`, { auth });

    expect(response.status).toBe(201);
    const retried = fixture.github.jobs().find((candidate) => candidate.id !== job.id);
    expect(retried).toMatchObject({ runId: job.runId, runAttempt: 2, status: 'queued', labels: LABELS });
    expect((await actions()).at(-1)).toBe(`${retried?.id}:queued`);
  });

  it('rejects re-running a job that is not completed with 403', async () => {
    const job = queue();

    const response = await fixture.call('POST', `/repos/${ORG}/${REPO}/actions/jobs/${job.id}/rerun`, { auth });

    expect(response.status).toBe(403);
    expect(field(response.body, 'message')).toBe('The workflow run containing this job is already running');
  });

  it('rejects queueing a job in a repository no installation reaches', () => {
    expect(() => fixture.github.queueJob({ owner: 'someone', repo: 'else', labels: LABELS, durationMs: 1 })).toThrow('No installation');
  });
});
