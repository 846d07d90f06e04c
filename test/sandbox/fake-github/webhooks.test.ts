import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '@octokit/webhooks-methods';
import { APP_ID, INSTALLATION_ID, ORG, REPO, WEBHOOK_SECRET, startFixture, type Fixture } from './helpers';

const LABELS = ['self-hosted', 'linux', 'fargate'];

describe('fake GitHub: webhook deliveries', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await startFixture();
  });
  afterEach(() => fixture.github.stop());

  const queue = () => fixture.github.queueJob({ owner: ORG, repo: REPO, labels: LABELS, durationMs: 1000 });
  const appAuth = () => ({ auth: `Bearer ${fixture.jwt()}` });

  it('signs the exact body bytes with HMAC-SHA256 of the secret, with GitHub headers', async () => {
    queue();
    await fixture.github.settled();

    const [request] = fixture.receiver.requests;
    if (!request) throw new Error('no delivery');
    const expected = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(request.body).digest('hex')}`;
    expect(request.headers['X-Hub-Signature-256']).toBe(expected);
    await expect(verify(WEBHOOK_SECRET, request.body, expected)).resolves.toBe(true);
    await expect(verify('another secret', request.body, expected)).resolves.toBe(false);
    expect(request.headers).toMatchObject({
      'Content-Type': 'application/json',
      'X-GitHub-Event': 'workflow_job',
      'X-GitHub-Hook-Installation-Target-ID': String(APP_ID),
      'User-Agent': expect.stringMatching(/^GitHub-Hookshot\//) as unknown,
      'X-GitHub-Delivery': expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
    });
  });

  it('sends the real workflow_job payload shape', async () => {
    const job = queue();
    await fixture.github.settled();

    const payload: unknown = JSON.parse(fixture.receiver.requests[0]?.body ?? '{}');
    expect(payload).toMatchObject({
      action: 'queued',
      workflow_job: { id: job.id, run_id: job.runId, run_attempt: 1, status: 'queued', labels: LABELS, runner_id: null, runner_name: null },
      repository: { name: REPO, full_name: `${ORG}/${REPO}`, owner: { login: ORG, type: 'Organization' } },
      organization: { login: ORG },
      installation: { id: INSTALLATION_ID },
      sender: { type: 'User' },
    });
  });

  it('omits organization for a repository owned by a user', async () => {
    await fixture.github.stop();
    fixture = await startFixture({ installations: [{ id: 7, account: 'mona', accountType: 'User', repositories: ['mona/dotfiles'] }] });

    fixture.github.queueJob({ owner: 'mona', repo: 'dotfiles', labels: LABELS, durationMs: 1 });
    await fixture.github.settled();

    const payload = JSON.parse(fixture.receiver.requests[0]?.body ?? '{}') as Record<string, unknown>;
    expect(payload).toMatchObject({ repository: { owner: { login: 'mona', type: 'User' } }, installation: { id: 7 } });
    expect(payload).not.toHaveProperty('organization');
  });

  it('posts to a webhook URL over HTTP with the signed raw body', async () => {
    const received: { headers: IncomingMessage['headers']; body: string }[] = [];
    const relay = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    await fixture.github.stop();
    fixture = await startFixture({ webhook: { secret: WEBHOOK_SECRET, url: `http://127.0.0.1:${(relay.address() as AddressInfo).port}/` } });

    queue();
    await fixture.github.settled();
    relay.close();

    expect(received).toHaveLength(1);
    const [delivery] = received;
    expect(delivery?.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(delivery?.body ?? '').digest('hex')}`);
    expect(fixture.github.deliveries()).toMatchObject([{ status: 'OK', statusCode: 202, event: 'workflow_job', action: 'queued' }]);
  });

  it('records a failed delivery without retrying it, and redelivers it through the API', async () => {
    fixture.receiver.status = 500;
    const job = queue();
    await fixture.github.settled();
    expect(fixture.receiver.requests).toHaveLength(1);

    const listed = await fixture.call('GET', '/app/hook/deliveries', appAuth());
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject([
      { event: 'workflow_job', action: 'queued', status: 'Invalid HTTP Response: 500', status_code: 500, redelivery: false, installation_id: INSTALLATION_ID },
    ]);
    const [failed] = listed.body as { id: number; guid: string }[];

    fixture.receiver.status = 202;
    const redelivered = await fixture.call('POST', `/app/hook/deliveries/${failed?.id}/attempts`, appAuth());
    await fixture.github.settled();

    expect(redelivered.status).toBe(202);
    expect(fixture.receiver.requests).toHaveLength(2);
    expect(fixture.receiver.requests[1]?.headers['X-GitHub-Delivery']).toBe(failed?.guid);
    expect(fixture.receiver.requests[1]?.body).toBe(fixture.receiver.requests[0]?.body);
    expect(fixture.github.deliveries()).toMatchObject([
      { status: 'Invalid HTTP Response: 500', redelivery: false, jobId: job.id },
      { status: 'OK', redelivery: true, guid: failed?.guid },
    ]);
    expect(fixture.github.stats().deliveries).toEqual({ total: 2, failed: 1, redeliveries: 1, inFlight: 0 });
  });

  it('records a delivery to a relay that cannot be reached as failed to connect', async () => {
    await fixture.github.stop();
    fixture = await startFixture({ webhook: { secret: WEBHOOK_SECRET, deliver: () => Promise.reject(new Error('ECONNREFUSED')) } });

    queue();
    await fixture.github.settled();

    expect(fixture.github.deliveries()).toMatchObject([{ status: 'failed to connect', statusCode: 502 }]);
    expect(fixture.github.events().map((event) => event.type)).toContain('webhook-failed');
  });

  it('pages deliveries newest first with a cursor in the Link header', async () => {
    for (let n = 0; n < 3; n += 1) queue();
    await fixture.github.settled();

    const first = await fixture.call('GET', '/app/hook/deliveries?per_page=2', appAuth());
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1] ?? '';
    const second = await fixture.call('GET', next.replace(fixture.url, ''), appAuth());

    const ids = fixture.github.deliveries().map((delivery) => delivery.id);
    expect((first.body as { id: number }[]).map((delivery) => delivery.id)).toEqual([ids[2], ids[1]]);
    expect((second.body as { id: number }[]).map((delivery) => delivery.id)).toEqual([ids[0]]);
    expect(second.headers.get('link')).toBeNull();
  });

  it('rejects redelivering an unknown delivery with 404, and the deliveries API without a JWT with 401', async () => {
    const unknown = await fixture.call('POST', '/app/hook/deliveries/1/attempts', appAuth());
    const unauthenticated = await fixture.call('GET', '/app/hook/deliveries');

    expect(unknown.status).toBe(404);
    expect(unauthenticated.status).toBe(401);
  });

  it('serves one delivery with its request and response', async () => {
    queue();
    await fixture.github.settled();
    const [delivery] = fixture.github.deliveries();

    const response = await fixture.call('GET', `/app/hook/deliveries/${delivery?.id}`, appAuth());

    expect(response.body).toMatchObject({ id: delivery?.id, request: { headers: { 'X-GitHub-Event': 'workflow_job' }, payload: { action: 'queued' } } });
  });
});
