// Redelivers the failed `workflow_job` deliveries of the App webhook, for a bounded window: GitHub never does it by
// itself, so an outage of the relay or EventBridge would leave jobs queued for good. Duplicates are absorbed by the
// runner-name claims; the checks and bounds here keep runners and rate limit from being spent for nothing.
import * as z from 'zod';
import type { GitHubClient, HookDelivery } from '../github/client';
import { statusOf } from '../github/map-error';
import { GitHubRateLimitedError, GitHubUnavailableError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import type { Metrics } from '../shared/metrics';
import type { RedeliveryConfig } from './config';

/** `queued` starts a runner and `in_progress` tells job-started which job a runner took; `completed` is unused. */
const REDELIVERED_ACTIONS: readonly string[] = ['queued', 'in_progress'];

/** The GitHub calls a run makes: the App's hook deliveries, and the jobs of queued ones. */
export type RedeliveryGitHub = Pick<GitHubClient, 'listHookDeliveries' | 'getHookDeliveryPayload' | 'redeliverHookDelivery' | 'getJob'>;

export interface RedeliveryDeps {
  github: RedeliveryGitHub;
  config: Omit<RedeliveryConfig, 'gitHubAppId' | 'gitHubApiUrl' | 'privateKeySecretArn'>;
  logger: Logger;
  metrics: Metrics;
  now: () => number;
  /**
   * GUIDs that need nothing more (job no longer queued, unreadable payload, abandoned). The handler keeps one set
   * per container, so a GUID costs its checks and its log line once, not on every run of the window.
   */
  settledGuids?: Set<string>;
}

export interface RedeliverySummary {
  /** Deliveries read inside the window. */
  scanned: number;
  /** `workflow_job` queued / in_progress deliveries (GUIDs) in the window without one successful attempt. */
  failedGuids: number;
  redelivered: number;
  skippedNotQueued: number;
  abandoned: number;
  errors: number;
  /** Work was left for the next run: the page bound, a per-run bound, or a GitHub rate limit or outage. */
  truncated: boolean;
}

/** Where a `queued` payload says its job is. */
const queuedPayloadSchema = z.object({
  workflow_job: z.object({ id: z.number().int().positive() }),
  repository: z.object({ name: z.string().min(1), owner: z.object({ login: z.string().min(1) }) }),
  installation: z.object({ id: z.number().int().positive() }).nullish(),
});

interface Candidate {
  guid: string;
  action: string;
  /** The newest attempt: the one redelivered (GitHub keeps the GUID and the body). */
  deliveryId: number;
  installationId: number | null;
  redeliveries: number;
  firstAttemptMs: number;
}

export async function redeliverFailedDeliveries(deps: RedeliveryDeps): Promise<RedeliverySummary> {
  const { github, config, logger } = deps;
  const nowMs = deps.now();
  const settled = deps.settledGuids ?? new Set<string>();
  const summary: RedeliverySummary = { scanned: 0, failedGuids: 0, redelivered: 0, skippedNotQueued: 0, abandoned: 0, errors: 0, truncated: false };
  let endpointFailing = false;
  if (config.redeliveryWindowMinutes === 0) {
    logger.info('Redelivery is off (window of 0 minutes)');
    return summary;
  }
  try {
    const scan = await scanDeliveries(github, nowMs - config.redeliveryWindowMinutes * 60_000, config.maxDeliveryPages);
    summary.scanned = scan.deliveries.length;
    summary.truncated = !scan.complete;
    const byGuid = groupByGuid(scan.deliveries);
    if (scan.complete) for (const guid of settled) if (!byGuid.has(guid)) settled.delete(guid);
    const candidates = selectCandidates(byGuid, deps, nowMs, settled, summary);

    // While the newest delivery of all fails, the endpoint is likely still down: one redelivery per run probes it,
    // so a long outage does not use up every GUID's redeliveries. The first success opens the gate again.
    endpointFailing = scan.newest !== undefined && !succeeded(scan.newest);
    await redeliverCandidates(candidates, { ...deps, probing: endpointFailing }, settled, summary);
  } catch (error) {
    if (!endsRun(error)) throw error;
    summary.errors += 1;
    summary.truncated = true;
    logger.warn('GitHub is rate limiting or unavailable: this run ends, the next one carries on', { error });
  }
  deps.metrics.emit(
    {},
    {
      WebhookDeliveriesFailed: { value: summary.failedGuids, unit: 'Count' },
      WebhookRedeliveries: { value: summary.redelivered, unit: 'Count' },
      WebhookRedeliveriesAbandoned: { value: summary.abandoned, unit: 'Count' },
      WebhookRedeliveryErrors: { value: summary.errors, unit: 'Count' },
    },
  );
  logger.info('Redelivery run finished', { ...summary, endpointFailing });
  return summary;
}

/** Checks and redelivers candidates in order, within the per-run bounds; a rate limit or an outage is thrown. */
async function redeliverCandidates(candidates: Candidate[], deps: RedeliveryDeps & { probing: boolean }, settled: Set<string>, summary: RedeliverySummary): Promise<void> {
  const { github, config, logger } = deps;
  const budget = deps.probing ? 1 : config.maxRedeliveriesPerRun;
  let checks = 0;
  let unavailableInARow = 0;
  for (const candidate of candidates) {
    if (summary.redelivered >= budget) {
      summary.truncated ||= !deps.probing;
      return;
    }
    const fields = { guid: candidate.guid, action: candidate.action, deliveryId: candidate.deliveryId };
    try {
      if (candidate.action === 'queued') {
        if (checks >= config.maxJobChecksPerRun) {
          summary.truncated = true;
          continue;
        }
        checks += 1;
        const job = await checkJob(github, candidate);
        if (job !== 'queued') {
          settled.add(candidate.guid);
          if (job === 'not-queued') summary.skippedNotQueued += 1;
          else {
            summary.errors += 1;
            logger.warn('A failed delivery has no readable job in its payload: not redelivered', fields);
          }
          continue;
        }
      }
      await github.redeliverHookDelivery(candidate.deliveryId);
      summary.redelivered += 1;
      unavailableInARow = 0;
      logger.debug('Redelivered a webhook delivery', { ...fields, redeliveries: candidate.redeliveries + 1 });
    } catch (error) {
      // A rate limit ends the run at once; a lone 5xx costs only this delivery (the next run tries it again), but
      // a few in a row mean GitHub is down for now.
      if (error instanceof GitHubRateLimitedError) throw error;
      if (error instanceof GitHubUnavailableError && ++unavailableInARow >= MAX_UNAVAILABLE_IN_A_ROW) throw error;
      summary.errors += 1;
      logger.warn('Could not redeliver a webhook delivery: the next run tries again', { ...fields, error });
    }
  }
}

interface Scan {
  /** Newest first, every one inside the window. */
  deliveries: HookDelivery[];
  /** The newest delivery of all, inside the window or not. */
  newest: HookDelivery | undefined;
  /** False when the page bound stopped the scan before the window start. */
  complete: boolean;
}

async function scanDeliveries(github: RedeliveryGitHub, windowStartMs: number, maxPages: number): Promise<Scan> {
  const deliveries: HookDelivery[] = [];
  let newest: HookDelivery | undefined;
  let cursor: string | undefined;
  for (let page = 1; page <= maxPages; page += 1) {
    const answer = await github.listHookDeliveries(cursor);
    newest ??= answer.deliveries[0];
    for (const delivery of answer.deliveries) {
      const atMs = Date.parse(delivery.delivered_at);
      if (atMs < windowStartMs) return { deliveries, newest, complete: true };
      if (!Number.isNaN(atMs)) deliveries.push(delivery);
    }
    if (answer.nextCursor === undefined) return { deliveries, newest, complete: true };
    cursor = answer.nextCursor;
  }
  return { deliveries, newest, complete: false };
}

function groupByGuid(deliveries: HookDelivery[]): Map<string, HookDelivery[]> {
  const byGuid = new Map<string, HookDelivery[]>();
  for (const delivery of deliveries) byGuid.set(delivery.guid, [...(byGuid.get(delivery.guid) ?? []), delivery]);
  return byGuid;
}

/** The failed GUIDs worth a redelivery now: queued before in_progress, fewest redeliveries first, oldest first. */
function selectCandidates(byGuid: Map<string, HookDelivery[]>, deps: RedeliveryDeps, nowMs: number, settled: Set<string>, summary: RedeliverySummary): Candidate[] {
  const { config, logger } = deps;
  const candidates: Candidate[] = [];
  for (const [guid, attempts] of byGuid) {
    const newest = attempts[0];
    const first = attempts.find((attempt) => !attempt.redelivery);
    if (!newest || newest.event !== 'workflow_job' || !REDELIVERED_ACTIONS.includes(newest.action ?? '')) continue;
    // A GUID first sent before the window start is out of it: its history is not all here, and its job waited too long.
    if (!first || attempts.some(succeeded)) continue;
    summary.failedGuids += 1;
    if (settled.has(guid)) continue;
    const redeliveries = attempts.filter((attempt) => attempt.redelivery).length;
    if (redeliveries >= config.maxRedeliveries) {
      settled.add(guid);
      summary.abandoned += 1;
      logger.warn('Abandoned a webhook delivery after its last redelivery failed', { guid, action: newest.action, deliveryId: newest.id, redeliveries });
      continue;
    }
    if (nowMs - Date.parse(newest.delivered_at) < config.minAttemptAgeSeconds * 1000) continue;
    candidates.push({
      guid,
      action: newest.action ?? '',
      deliveryId: newest.id,
      installationId: newest.installation_id ?? null,
      redeliveries,
      firstAttemptMs: Date.parse(first.delivered_at),
    });
  }
  const rank = (candidate: Candidate): number => (candidate.action === 'queued' ? 0 : 1);
  return candidates.sort((a, b) => rank(a) - rank(b) || a.redeliveries - b.redeliveries || a.firstAttemptMs - b.firstAttemptMs);
}

/** Whether the job of a `queued` delivery still waits: a runner for a job that left the queue is wasted. */
async function checkJob(github: RedeliveryGitHub, candidate: Candidate): Promise<'queued' | 'not-queued' | 'unreadable'> {
  const payload = queuedPayloadSchema.safeParse(await github.getHookDeliveryPayload(candidate.deliveryId));
  if (!payload.success) return 'unreadable';
  const { workflow_job: job, repository, installation } = payload.data;
  const installationId = installation?.id ?? candidate.installationId;
  if (installationId === null) return 'unreadable';
  try {
    const current = await github.getJob({ owner: repository.owner.login, repo: repository.name, installationId }, job.id);
    return current.status === 'queued' ? 'queued' : 'not-queued';
  } catch (error) {
    // The job, its run or its repository is gone.
    if (statusOf(error) === 404) return 'not-queued';
    throw error;
  }
}

function succeeded(delivery: HookDelivery): boolean {
  return delivery.status_code >= 200 && delivery.status_code < 300;
}

/** A rate limit or a GitHub outage ends the run: the next scheduled run carries on. */
/** GitHub 5xx answers in a row after which a run stops (GitHub is down; the next run carries on). */
const MAX_UNAVAILABLE_IN_A_ROW = 3;

function endsRun(error: unknown): boolean {
  return error instanceof GitHubRateLimitedError || error instanceof GitHubUnavailableError;
}
