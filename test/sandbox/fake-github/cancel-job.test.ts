import { ORG, REPO, registerRunner, startFixture, type Fixture } from './helpers';

const LABELS = ['self-hosted', 'linux', 'fargate'];

describe('fake GitHub: a queued job whose run is cancelled', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await startFixture();
  });
  afterEach(() => fixture.github.stop());

  const queue = () => fixture.github.queueJob({ owner: ORG, repo: REPO, labels: LABELS, durationMs: 1000 });

  it('leaves the queue as completed and cancelled, with its webhook, and the REST API says so', async () => {
    // GIVEN a queued job
    const job = queue();
    fixture.clock.advance(5000);

    // WHEN its run is cancelled
    const cancelled = fixture.github.cancelQueuedJob(job.id);
    await fixture.github.settled();

    // THEN it is completed/cancelled everywhere: the view, the API, the webhooks and the events
    expect(cancelled).toMatchObject({ id: job.id, status: 'completed', conclusion: 'cancelled', runnerId: null, completedAtMs: job.queuedAtMs + 5000 });
    const response = await fixture.call('GET', `/repos/${ORG}/${REPO}/actions/jobs/${job.id}`, { auth: `token ${await fixture.token()}` });
    expect(response.body).toMatchObject({ status: 'completed', conclusion: 'cancelled', runner_id: null, completed_at: '2026-12-04T10:00:05Z' });
    const actions = fixture.receiver.requests.map((request) => (JSON.parse(request.body) as { action: string }).action);
    expect(actions).toEqual(['queued', 'completed']);
    expect(fixture.github.events().filter((event) => event.jobId === job.id && event.type.startsWith('job-'))).toMatchObject([
      { type: 'job-queued' },
      { type: 'job-completed', detail: 'cancelled' },
    ]);
  });

  it('is no longer given to a runner that comes online', async () => {
    const cancelled = queue();
    fixture.github.cancelQueuedJob(cancelled.id);
    const waiting = queue();
    const { config } = await registerRunner(fixture, 'fleet-1-1', ['fargate']);

    const assigned = await fixture.github.connectRunner(config).nextJob();

    expect(assigned.id).toBe(waiting.id);
  });

  it('rejects cancelling a job that is not queued, or does not exist', () => {
    const job = queue();
    fixture.github.cancelQueuedJob(job.id);

    expect(() => fixture.github.cancelQueuedJob(job.id)).toThrow(`Job ${job.id} is completed: only a queued job can be cancelled here`);
    expect(() => fixture.github.cancelQueuedJob(1)).toThrow('No job 1');
  });
});
