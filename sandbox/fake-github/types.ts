// Public types of the fake GitHub: construction options, the simulation API's views, events and stats.
import type { KeyObject } from 'node:crypto';

export type JobStatus = 'queued' | 'in_progress' | 'completed';
export type JobConclusion = 'success' | 'failure' | 'cancelled';
export type Architecture = 'x64' | 'arm64';
export type PermissionLevel = 'read' | 'write';

export interface InstallationConfig {
  id: number;
  /** Login of the organization or user the App is installed on. */
  account: string;
  /** @default 'Organization' */
  accountType?: 'Organization' | 'User';
  /** `owner/repo` names; omitted means every repository of the account (`repository_selection: all`). */
  repositories?: string[];
  /** @default actions, administration and organization_self_hosted_runners write, metadata read */
  permissions?: Record<string, PermissionLevel>;
}

/** What a webhook delivery sends: the exact body bytes and GitHub's headers. */
export interface WebhookRequest {
  headers: Record<string, string>;
  body: string;
}

/** Where webhooks go: an HTTP URL (a relay listening locally), or an in-process function. */
export type WebhookTarget =
  | { secret: string; url: string }
  | { secret: string; deliver: (request: WebhookRequest) => Promise<{ status: number }> };

export interface RateLimitOptions {
  /** Primary limit per installation (and for the App's JWT requests). @default 5000 */
  primaryPerHour?: number;
  /** Secondary limit in points per rolling minute (GET/HEAD/OPTIONS 1 point, writes 5). @default 900 */
  secondaryPointsPerMinute?: number;
  /** GitHub answers either. @default 403 */
  primaryStatus?: 403 | 429;
  /** @default 403 */
  secondaryStatus?: 403 | 429;
  /** Shrink both windows by this factor (a minute becomes 60 s / windowScale), for benchmarks. @default 1 */
  windowScale?: number;
}

export type ServerErrorStatus = 500 | 502 | 503;

export interface FaultOptions {
  /** Probability that an API request answers a 5xx. @default 0 */
  serverErrorRate?: number;
  /** Per-route probability, keyed like the stats (`POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig`). */
  serverErrorRateByRoute?: Record<string, number>;
  /** @default [500, 502, 503] */
  serverErrorStatuses?: readonly ServerErrorStatus[];
  /**
   * Share of injected 5xx on writes that happen after the write took effect (the response is lost, as when
   * generate-jitconfig registered the runner but the client saw a 502: its retry then gets 409). @default 0
   */
  lostResponseShare?: number;
  /** Probability that an API request is refused by the secondary rate limit regardless of points. @default 0 */
  secondaryRateLimitRate?: number;
}

export interface FakeGitHubOptions {
  /** The App id: the JWT `iss` must equal it (as a number or a string). */
  appId: number | string;
  /** @default 'fake-fleet-app' */
  appSlug?: string;
  /** The App's public key (the private key stays with the client). */
  appPublicKey: KeyObject | string;
  installations: InstallationConfig[];
  /** Omitted: no webhooks are sent (events are still logged). */
  webhook?: WebhookTarget;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
  /** Seed of the fault injector. @default 1 */
  seed?: number;
  faults?: FaultOptions;
  rateLimits?: RateLimitOptions;
  /** Runner group ids that exist; generate-jitconfig answers 404 for others. @default any positive id */
  runnerGroupIds?: number[];
}

export interface QueueJobInput {
  owner: string;
  repo: string;
  labels: string[];
  /** How long the job runs once a runner takes it (the simulated runner reads it from the assigned job). */
  durationMs: number;
  /** @default 'build' */
  name?: string;
}

/** A job as the simulation sees it (the HTTP API serves the real-shaped JSON). */
export interface JobView {
  id: number;
  runId: number;
  runAttempt: number;
  owner: string;
  repo: string;
  name: string;
  labels: string[];
  durationMs: number;
  status: JobStatus;
  conclusion: JobConclusion | null;
  runnerId: number | null;
  runnerName: string | null;
  queuedAtMs: number;
  startedAtMs: number | null;
  completedAtMs: number | null;
}

/** What a runner session receives when GitHub assigns it a job. */
export type AssignedJob = Pick<JobView, 'id' | 'runId' | 'runAttempt' | 'owner' | 'repo' | 'name' | 'labels' | 'durationMs'>;

export type RunnerScopeView = { type: 'repository'; owner: string; repo: string } | { type: 'organization'; organization: string };

export interface RunnerView {
  id: number;
  name: string;
  scope: RunnerScopeView;
  /** Custom labels plus, once connected, the default self-hosted / OS / architecture labels. */
  labels: string[];
  status: 'online' | 'offline';
  busy: boolean;
  jobId: number | null;
  registeredAtMs: number;
}

export interface ConnectRunnerOptions {
  /** @default 'x64' */
  architecture?: Architecture;
}

export type RunnerSessionState = 'idle' | 'busy' | 'finished' | 'disconnected' | 'removed';

/** A runner process started with a JIT config, as the real runner binary would behave. */
export interface RunnerSession {
  readonly runnerId: number;
  readonly runnerName: string;
  readonly state: RunnerSessionState;
  /** The job this runner is running, if any. */
  readonly job: AssignedJob | null;
  /**
   * Resolves with the job GitHub assigns to this runner (any queued job whose labels it covers, not necessarily
   * the one it was launched for); rejects with `RunnerSessionEndedError` if the session ends first.
   */
  nextJob(): Promise<AssignedJob>;
  /** The job ends: `completed` webhook, and the ephemeral registration is removed. @default 'success' */
  completeJob(conclusion?: JobConclusion): void;
  /**
   * The runner goes away (Spot interruption, idle exit). Mid-job, GitHub fails the job; the registration stays,
   * offline, for the lifecycle to delete. Returns the job that was failed, if any.
   */
  disconnect(): { failedJobId: number | null };
}

export interface WebhookDeliveryView {
  id: number;
  guid: string;
  deliveredAtMs: number;
  redelivery: boolean;
  /** Seconds, as GitHub reports it. */
  duration: number;
  status: string;
  statusCode: number;
  event: string;
  action: string | null;
  installationId: number | null;
  repositoryId: number | null;
  jobId: number | null;
}

export type FakeGitHubEventType =
  | 'job-queued'
  | 'job-in-progress'
  | 'job-completed'
  | 'runner-registered'
  | 'runner-online'
  | 'runner-assigned'
  | 'runner-offline'
  | 'runner-deleted'
  | 'webhook-delivered'
  | 'webhook-failed'
  | 'rate-limited'
  | 'fault-injected';

export interface FakeGitHubEvent {
  atMs: number;
  type: FakeGitHubEventType;
  jobId?: number;
  runnerId?: number;
  runnerName?: string;
  /** One line: the conclusion, the delivery status, the limit that was hit... */
  detail?: string;
}

export interface FakeGitHubStats {
  requests: number;
  /** Calls per route, e.g. `POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig`. */
  calls: Record<string, number>;
  /** Responses per status code. */
  statuses: Record<string, number>;
  clientErrors: number;
  serverErrors: number;
  rateLimited: { primary: number; secondary: number };
  faultsInjected: number;
  /** Primary requests used in the current hour, per identity (`installation:42`, `app`). */
  primaryUsed: Record<string, number>;
  /** Secondary points used in the rolling minute, per identity. */
  secondaryPoints: Record<string, number>;
  /** Secondary points of every request served since the start (reads 1, writes 5). */
  secondaryPointsAdmitted: number;
  deliveries: { total: number; failed: number; redeliveries: number; inFlight: number };
}
