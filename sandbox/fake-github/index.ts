// A fake of the parts of GitHub the fleet uses: the REST API over HTTP on 127.0.0.1 (App JWT, installation
// tokens, JIT runners, jobs, webhook deliveries, rate limits, seeded faults), and an in-process simulation API
// that queues jobs and plays the runner binary.
import { Directory } from './directory';
import { EventLog, type EventListener } from './events';
import { FaultInjector } from './faults';
import { createJwtVerifier } from './jwt';
import { createRandom } from './random';
import { RateLimiter } from './rate-limits';
import { createRoutes } from './routes';
import { ApiServer } from './server';
import { workflowJobPayload } from './shapes';
import { FleetState, toJobView } from './state';
import { RequestStats } from './stats';
import { InstallationTokens } from './tokens';
import type {
  ConnectRunnerOptions,
  FakeGitHubEvent,
  FakeGitHubOptions,
  FakeGitHubStats,
  JobView,
  QueueJobInput,
  RunnerSession,
  RunnerView,
  WebhookDeliveryView,
} from './types';
import { WebhookSender } from './webhooks';

export * from './types';
export { RunnerConnectionError, RunnerSessionEndedError } from './errors';
export { createRandom, type Random } from './random';
export { signatureOf } from './webhooks';

export interface FakeGitHub {
  /** Listens on 127.0.0.1, on a free port; `url` is the client's baseUrl (a GHES-style `/api/v3` suffix works too). */
  start(): Promise<{ url: string }>;
  /** Waits for in-flight webhook deliveries, then closes the server. */
  stop(): Promise<void>;
  /** The base URL; throws before `start()`. */
  readonly url: string;
  /** A workflow job is queued: new job and run ids, and a signed `workflow_job` `queued` webhook. */
  queueJob(input: QueueJobInput): JobView;
  /** What the runner binary does with `--jitconfig`; throws `RunnerConnectionError` for a config GitHub would refuse. */
  connectRunner(encodedJitConfig: string, options?: ConnectRunnerOptions): RunnerSession;
  /** The run of a queued job is cancelled: the job leaves the queue (`completed`, `cancelled`, with its webhook). */
  cancelQueuedJob(jobId: number): JobView;
  jobs(): JobView[];
  job(jobId: number): JobView | undefined;
  runners(): RunnerView[];
  /** Webhook deliveries, oldest first. */
  deliveries(): WebhookDeliveryView[];
  events(): readonly FakeGitHubEvent[];
  /** Live events, for progress output; returns the unsubscribe function. */
  onEvent(listener: EventListener): () => void;
  stats(): FakeGitHubStats;
  /** Every request the secondary limit admitted: when, and its points (reads 1, writes 5). */
  admissions(): readonly { atMs: number; points: number }[];
  /** A rate-limit burst: every request (of one installation, or all) is refused with that limit for a while. */
  forceRateLimit(input: { kind: 'primary' | 'secondary'; durationMs: number; installationId?: number }): void;
  /** Resolves when every webhook delivery started so far has been answered and recorded. */
  settled(): Promise<void>;
}

export function createFakeGitHub(options: FakeGitHubOptions): FakeGitHub {
  const now = options.now ?? Date.now;
  const appId = Number(options.appId);
  if (!Number.isSafeInteger(appId)) throw new Error(`appId must be an integer, got ${String(options.appId)}`);
  const app = { id: appId, slug: options.appSlug ?? 'fake-fleet-app', createdAtMs: now() };
  const events = new EventLog(now);
  const directory = new Directory(options.installations, now());
  const webhooks = new WebhookSender(options.webhook, options.appId, now, events);
  const tokens = new InstallationTokens();
  const limiter = new RateLimiter(options.rateLimits ?? {}, now);
  const stats = new RequestStats();
  let server: ApiServer | null = null;
  const apiUrl = (): string => server?.url ?? 'https://api.github.com';

  const state = new FleetState({
    directory,
    now,
    events,
    runnerGroupIds: options.runnerGroupIds,
    onJobChange: (action, job) =>
      webhooks.send('workflow_job', workflowJobPayload(action, job, job.repository.installationId, apiUrl()), {
        installationId: job.repository.installationId,
        repositoryId: job.repository.id,
        jobId: job.id,
      }),
  });

  server = new ApiServer({
    routes: createRoutes({ app, directory, state, tokens, webhooks, now }),
    jwt: createJwtVerifier(options.appId, options.appPublicKey),
    tokens,
    limiter,
    faults: new FaultInjector(options.faults ?? {}, createRandom(options.seed ?? 1)),
    stats,
    events,
    now,
  });
  const api = server;

  return {
    start: async () => ({ url: await api.start() }),
    stop: async () => {
      await webhooks.settled();
      await api.stop();
    },
    get url(): string {
      if (!api.url) throw new Error('The fake GitHub is not started');
      return api.url;
    },
    queueJob: (input) => toJobView(state.queueJob(input)),
    connectRunner: (encodedJitConfig, connectOptions = {}) => state.connect(encodedJitConfig, connectOptions),
    cancelQueuedJob: (jobId) => toJobView(state.cancelQueuedJob(jobId)),
    jobs: () => state.jobViews(),
    job: (jobId) => {
      const record = state.job(jobId);
      return record && toJobView(record);
    },
    runners: () => state.runnerViews(),
    deliveries: () =>
      webhooks
        .list()
        .reverse()
        .map(({ url: _url, request: _request, response: _response, ...view }) => view),
    events: () => events.list(),
    onEvent: (listener) => events.subscribe(listener),
    admissions: () => limiter.admissions,
    stats: () => {
      const deliveries = webhooks.list();
      return {
        ...stats.snapshot(),
        primaryUsed: limiter.primaryUsed(),
        secondaryPoints: limiter.secondaryPoints(),
        secondaryPointsAdmitted: limiter.admittedPoints,
        deliveries: {
          total: deliveries.length,
          failed: deliveries.filter((delivery) => delivery.status !== 'OK').length,
          redeliveries: deliveries.filter((delivery) => delivery.redelivery).length,
          inFlight: webhooks.inFlightCount(),
        },
      };
    },
    forceRateLimit: ({ kind, durationMs, installationId }) =>
      limiter.force(kind, durationMs, installationId === undefined ? null : `installation:${installationId}`),
    settled: () => webhooks.settled(),
  };
}
