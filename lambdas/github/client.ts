// GitHub as the lifecycle sees it: a few typed calls, authenticated as the GitHub App (JWT, then installation
// tokens cached by @octokit/auth-app for their life), each with a timeout, counted per route, and with its
// failures mapped in one place (map-error.ts).
import { createAppAuth } from '@octokit/auth-app';
import { request as octokitRequest } from '@octokit/request';
import { GitHubRateLimitedError, JobStillRunningError, RunnerBusyError, RunnerNameTakenError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { statusOf, toGitHubError } from './map-error';
import {
  hookDeliveryDetailSchema,
  hookDeliveryListSchema,
  installationSchema,
  jitConfigSchema,
  jobSchema,
  parseResponse,
  runnerListSchema,
  type GitHubJob,
  type GitHubRunner,
  type HookDelivery,
} from './responses';

export type { GitHubJob, GitHubRunner, HookDelivery } from './responses';

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';
const DEFAULT_TIMEOUT_MS = 10_000;
/** How long one call may wait in the Lambda for a rate limit to pass (a whole secondary-limit minute) before leaving it to Step Functions. */
const DEFAULT_RATE_LIMIT_WAIT_BUDGET_MS = 75_000;
/** How long calls keep going one at a time after a rate limit has passed. */
const SERIALIZE_AFTER_RATE_LIMIT_MS = 60_000;
const API_VERSION = '2022-11-28';

/** Whose installation to look up: an organization, or the account that owns a repository. */
export type InstallationOwner = { org: string } | { owner: string; repo: string };

export interface RepositoryRef {
  owner: string;
  repo: string;
  installationId: number;
}

/** Where runners are registered: organization runners, or repository runners. */
export type RunnerTarget =
  | { type: 'organization'; org: string; installationId: number }
  | { type: 'repository'; owner: string; repo: string; installationId: number };

export interface JitRunnerSpec {
  name: string;
  labels: string[];
  runnerGroupId: number;
  workFolder: string;
}

/** The answer of generate-jitconfig. `encodedJitConfig` is a credential: pass it to S3 and nowhere else. */
export interface JitConfig {
  runnerId: number;
  runnerName: string;
  encodedJitConfig: string;
}

export interface GitHubClient {
  getInstallationId(owner: InstallationOwner): Promise<number>;
  getJob(repository: RepositoryRef, jobId: number): Promise<GitHubJob>;
  /** Registers a JIT runner. GitHub 409 (the name is taken) → RunnerNameTakenError. */
  generateJitConfig(target: RunnerTarget, runner: JitRunnerSpec): Promise<JitConfig>;
  findRunnerByName(target: RunnerTarget, name: string): Promise<GitHubRunner | undefined>;
  /** Whether the registration still exists: a read (1 rate-limit point) where a DELETE costs 5. */
  runnerExists(target: RunnerTarget, runnerId: number): Promise<boolean>;
  /** 404 → 'not-found' (already gone); 422 → RunnerBusyError. */
  deleteRunner(target: RunnerTarget, runnerId: number): Promise<'deleted' | 'not-found'>;
  /** 403 while the job's run still has jobs in progress → JobStillRunningError. */
  rerunJob(repository: RepositoryRef, jobId: number): Promise<void>;
  /** Every registration in the scope (page by page, at most `maxPages` pages of 100). */
  listRunners(target: RunnerTarget, maxPages: number): Promise<GitHubRunner[]>;
  /** One page of the App webhook's deliveries, newest first, and the cursor of the next page. */
  listHookDeliveries(cursor: string | undefined): Promise<{ deliveries: HookDelivery[]; nextCursor: string | undefined }>;
  /** The payload GitHub sent in one delivery (its `request.payload`). */
  getHookDeliveryPayload(deliveryId: number): Promise<unknown>;
  /** Asks GitHub to send a delivery again (same GUID and body). */
  redeliverHookDelivery(deliveryId: number): Promise<void>;
  /** The primary rate limit as GitHub's last answer stated it (x-ratelimit-remaining / -limit), if any did. */
  rateLimit(): { remaining: number; limit: number } | undefined;
  /** Calls made since the container started, per route (`POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig`). */
  callCounts(): Record<string, number>;
}

export interface GitHubClientOptions {
  appId: number | string;
  /** Read once, on the first call that needs the App's identity. */
  privateKey: () => Promise<string>;
  /** https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server. */
  baseUrl?: string;
  fetch?: typeof fetch;
  logger: Logger;
  timeoutMs?: number;
  /**
   * After a rate limit, calls wait for `retry-after` (plus a random share of it, so waiting callers do not all
   * come back at the same instant) and try again, for up to this long in all; then they throw GitHubRateLimited
   * for Step Functions to retry later. @default 75000
   */
  rateLimitWaitBudgetMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

interface EndpointOptions {
  method: string;
  url: string;
  request?: Record<string, unknown>;
  [parameter: string]: unknown;
}
type Send = (options: EndpointOptions) => Promise<{ status: number; data: unknown }>;
type AppAuth = ReturnType<typeof createAppAuth>;

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const { logger } = options;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const counts = new Map<string, number>();
  let rateLimit: { remaining: number; limit: number } | undefined;
  const installations = new Map<string, number>();

  const waitBudgetMs = options.rateLimitWaitBudgetMs ?? DEFAULT_RATE_LIMIT_WAIT_BUDGET_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  // After a rate limit, the calls of this container go one at a time, each after `retry-after` has passed: a
  // refused request still counts against the hourly limit, so callers must not all try at once, and the next
  // one goes as soon as the previous one got through. The queue dissolves a minute after the last refusal.
  let pausedUntilMs = 0;
  let serializedUntilMs = 0;
  let queue: Promise<void> = Promise.resolve();
  const takeTurn = async (): Promise<() => void> => {
    if (now() >= serializedUntilMs) return () => undefined;
    const previous = queue;
    let release!: () => void;
    queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    return release;
  };

  // Every request, including auth-app's installation-token request, passes through this hook.
  const hook = async (send: Send, endpoint: EndpointOptions): Promise<{ status: number; data: unknown }> => {
    const route = `${endpoint.method} ${endpoint.url}`;
    let waitedMs = 0;
    for (;;) {
      const release = await takeTurn();
      try {
        const pauseMs = pausedUntilMs - now();
        if (pauseMs > 0) {
          // A tenth of jitter: only this container's callers wait here, one at a time.
          const waitMs = Math.round(pauseMs * (1 + random() / 10));
          if (waitedMs + waitMs > waitBudgetMs) throw new GitHubRateLimitedError(route, Math.ceil(pauseMs / 1000));
          await sleep(waitMs);
          waitedMs += waitMs;
        }
        counts.set(route, (counts.get(route) ?? 0) + 1);
        const startedAt = now();
        try {
          const response = await send({ ...endpoint, request: { ...endpoint.request, signal: AbortSignal.timeout(timeoutMs) } });
          rateLimit = rateLimitOf((response as { headers?: Record<string, unknown> }).headers) ?? rateLimit;
          logger.debug('GitHub call', { route, status: response.status, durationMs: now() - startedAt });
          return response;
        } catch (error) {
          const mapped = toGitHubError(error, route, now());
          if (mapped instanceof GitHubRateLimitedError) {
            pausedUntilMs = Math.max(pausedUntilMs, now() + mapped.retryAfterSeconds * 1000);
            serializedUntilMs = now() + mapped.retryAfterSeconds * 1000 + SERIALIZE_AFTER_RATE_LIMIT_MS;
            if (waitedMs + mapped.retryAfterSeconds * 1000 <= waitBudgetMs) {
              logger.info('GitHub rate limit: waiting', { route, retryAfterSeconds: mapped.retryAfterSeconds });
              continue;
            }
          }
          logger.info('GitHub call failed', { route, status: statusOf(error) ?? null, error: mapped.name, durationMs: now() - startedAt });
          throw mapped;
        }
      } finally {
        release();
      }
    }
  };

  const request = octokitRequest.defaults({
    baseUrl: (options.baseUrl ?? DEFAULT_GITHUB_API_URL).replace(/\/+$/, ''),
    headers: { 'x-github-api-version': API_VERSION },
    request: { hook, ...(options.fetch ? { fetch: options.fetch } : {}) },
  });

  let appAuth: Promise<AppAuth> | undefined;
  const auth = (): Promise<AppAuth> => {
    appAuth ??= options
      .privateKey()
      .then((privateKey) => createAppAuth({ appId: options.appId, privateKey, request, log: { warn: (message: string) => logger.warn(message) } }))
      .catch((error: unknown) => {
        appAuth = undefined; // a failed read is retried on the next call, not cached
        throw error;
      });
    return appAuth;
  };

  const asApp = async (route: string, parameters: Record<string, unknown>): Promise<unknown> => {
    const { token } = await (await auth())({ type: 'app' });
    const response = await request(route, { ...parameters, headers: { authorization: `bearer ${token}` } });
    return response.data;
  };

  const asInstallation = async (installationId: number, route: string, parameters: Record<string, unknown>): Promise<unknown> => {
    const { token } = await (await auth())({ type: 'installation', installationId });
    const response = await request(route, { ...parameters, headers: { authorization: `token ${token}` } });
    return response.data;
  };

  const runnersRoute = (target: RunnerTarget, method: string, suffix: string) =>
    target.type === 'organization'
      ? { route: `${method} /orgs/{org}/actions/runners${suffix}`, parameters: { org: target.org } }
      : { route: `${method} /repos/{owner}/{repo}/actions/runners${suffix}`, parameters: { owner: target.owner, repo: target.repo } };

  return {
    async getInstallationId(owner) {
      const key = 'org' in owner ? `org:${owner.org.toLowerCase()}` : `repo:${owner.owner.toLowerCase()}/${owner.repo.toLowerCase()}`;
      const cached = installations.get(key);
      if (cached !== undefined) return cached;
      const [route, parameters] = 'org' in owner ? ['GET /orgs/{org}/installation', { org: owner.org }] : ['GET /repos/{owner}/{repo}/installation', { owner: owner.owner, repo: owner.repo }];
      let data: unknown;
      try {
        data = await asApp(route, parameters);
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
        const where = 'org' in owner ? owner.org : `${owner.owner}/${owner.repo}`;
        throw new Error(`The GitHub App ${options.appId} is not installed on ${where}: install it there, or pass installationId.`, { cause: error });
      }
      const { id } = parseResponse(installationSchema, data, route);
      installations.set(key, id);
      return id;
    },

    async getJob({ owner, repo, installationId }, jobId) {
      const route = 'GET /repos/{owner}/{repo}/actions/jobs/{job_id}';
      return parseResponse(jobSchema, await asInstallation(installationId, route, { owner, repo, job_id: jobId }), route);
    },

    async generateJitConfig(target, runner) {
      const { route, parameters } = runnersRoute(target, 'POST', '/generate-jitconfig');
      let data: unknown;
      try {
        data = await asInstallation(target.installationId, route, {
          ...parameters,
          name: runner.name,
          labels: runner.labels,
          runner_group_id: runner.runnerGroupId,
          work_folder: runner.workFolder,
        });
      } catch (error) {
        if (statusOf(error) === 409) throw new RunnerNameTakenError(runner.name, { cause: error });
        throw error;
      }
      const config = parseResponse(jitConfigSchema, data, route);
      return { runnerId: config.runner.id, runnerName: config.runner.name, encodedJitConfig: config.encoded_jit_config };
    },

    async findRunnerByName(target, name) {
      const { route, parameters } = runnersRoute(target, 'GET', '');
      const list = parseResponse(runnerListSchema, await asInstallation(target.installationId, route, { ...parameters, name, per_page: 100 }), route);
      return list.runners.find((runner) => runner.name === name);
    },

    async runnerExists(target, runnerId) {
      const { route, parameters } = runnersRoute(target, 'GET', '/{runner_id}');
      try {
        await asInstallation(target.installationId, route, { ...parameters, runner_id: runnerId });
        return true;
      } catch (error) {
        if (statusOf(error) === 404) return false;
        throw error;
      }
    },

    async deleteRunner(target, runnerId) {
      const { route, parameters } = runnersRoute(target, 'DELETE', '/{runner_id}');
      try {
        await asInstallation(target.installationId, route, { ...parameters, runner_id: runnerId });
        return 'deleted';
      } catch (error) {
        const status = statusOf(error);
        if (status === 404) return 'not-found';
        if (status === 422) throw new RunnerBusyError(runnerId, { cause: error });
        throw error;
      }
    },

    async rerunJob({ owner, repo, installationId }, jobId) {
      try {
        await asInstallation(installationId, 'POST /repos/{owner}/{repo}/actions/jobs/{job_id}/rerun', { owner, repo, job_id: jobId });
      } catch (error) {
        // GitHub refuses to re-run a job while its workflow run is still in progress (403).
        if (!(error instanceof GitHubRateLimitedError) && statusOf(error) === 403) throw new JobStillRunningError(jobId, { cause: error });
        throw error;
      }
    },

    async listRunners(target, maxPages) {
      const { route, parameters } = runnersRoute(target, 'GET', '');
      const runners: GitHubRunner[] = [];
      for (let page = 1; page <= maxPages; page += 1) {
        const list = parseResponse(runnerListSchema, await asInstallation(target.installationId, route, { ...parameters, per_page: 100, page }), route);
        runners.push(...list.runners);
        if (list.runners.length < 100 || runners.length >= list.total_count) break;
      }
      return runners;
    },

    async listHookDeliveries(cursor) {
      const route = 'GET /app/hook/deliveries';
      const { token } = await (await auth())({ type: 'app' });
      const response = await request(route, { per_page: 100, ...(cursor ? { cursor } : {}), headers: { authorization: `bearer ${token}` } });
      const deliveries = parseResponse(hookDeliveryListSchema, response.data, route);
      return { deliveries, nextCursor: nextCursorOf(response.headers.link) };
    },

    async getHookDeliveryPayload(deliveryId) {
      const route = 'GET /app/hook/deliveries/{delivery_id}';
      return parseResponse(hookDeliveryDetailSchema, await asApp(route, { delivery_id: deliveryId }), route).request?.payload;
    },

    async redeliverHookDelivery(deliveryId) {
      await asApp('POST /app/hook/deliveries/{delivery_id}/attempts', { delivery_id: deliveryId });
    },

    rateLimit() {
      return rateLimit;
    },

    callCounts() {
      return Object.fromEntries(counts);
    },
  };
}

/** The `cursor` of the `rel="next"` link of a cursor-paginated answer. */
export function nextCursorOf(link: string | undefined): string | undefined {
  const next = link?.split(',').find((part) => /rel="next"/.test(part));
  const url = next ? /<([^>]+)>/.exec(next)?.[1] : undefined;
  return url ? (new URL(url).searchParams.get('cursor') ?? undefined) : undefined;
}

function rateLimitOf(headers: Record<string, unknown> | undefined): { remaining: number; limit: number } | undefined {
  const remaining = Number(headers?.['x-ratelimit-remaining']);
  const limit = Number(headers?.['x-ratelimit-limit']);
  return headers?.['x-ratelimit-remaining'] !== undefined && Number.isFinite(remaining) && Number.isFinite(limit) && limit > 0 ? { remaining, limit } : undefined;
}
