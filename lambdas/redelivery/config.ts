// The redelivery function's configuration, parsed once at cold start; a missing or bad variable names itself.
// The GitHub variables are the ones the GitHub steps read, with the same rules; the bounds per run are constants.
import { ENV } from '../../statemachine/contracts';
import { nonNegativeIntEnv, positiveIntEnv, readOptionalEnv } from '../shared/env';
import { readGitHubAppEnv } from '../shared/fleet-env';

export const DEFAULT_REDELIVERY_WINDOW_MINUTES = 180;
/** GitHub.com only redelivers deliveries of the past 3 days (docs: "Redelivering webhooks"). */
export const MAX_REDELIVERY_WINDOW_MINUTES = 3 * 24 * 60;
export const DEFAULT_MAX_REDELIVERIES = 5;
/** A redelivery costs 5 secondary-limit points, and a queued one starts a lifecycle: the rest waits for the next run. */
export const DEFAULT_MAX_REDELIVERIES_PER_RUN = 50;
/** Checks that a queued delivery's job still waits (2 reads each) per run. */
export const DEFAULT_MAX_JOB_CHECKS_PER_RUN = 100;
/** Pages of 100 deliveries read per run. */
export const DEFAULT_MAX_DELIVERY_PAGES = 20;
/** A delivery attempted more recently than this is left alone: it may be in flight, or the outage not over. */
export const DEFAULT_MIN_ATTEMPT_AGE_SECONDS = 60;

export interface RedeliveryConfig {
  gitHubAppId: number;
  /** https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server. */
  gitHubApiUrl: string;
  privateKeySecretArn: string;
  /** Deliveries whose first attempt is older than this are neither read nor redelivered; 0 turns redelivery off. */
  redeliveryWindowMinutes: number;
  /** Redeliveries of one delivery (one GUID) after which it is abandoned. */
  maxRedeliveries: number;
  maxRedeliveriesPerRun: number;
  maxJobChecksPerRun: number;
  maxDeliveryPages: number;
  minAttemptAgeSeconds: number;
}

export function readRedeliveryConfig(env: NodeJS.ProcessEnv = process.env): RedeliveryConfig {
  return {
    ...readGitHubAppEnv(env),
    redeliveryWindowMinutes: readOptionalEnv(ENV.redeliveryWindowMinutes, nonNegativeIntEnv.max(MAX_REDELIVERY_WINDOW_MINUTES), DEFAULT_REDELIVERY_WINDOW_MINUTES, env),
    maxRedeliveries: readOptionalEnv(ENV.maxRedeliveries, positiveIntEnv, DEFAULT_MAX_REDELIVERIES, env),
    maxRedeliveriesPerRun: DEFAULT_MAX_REDELIVERIES_PER_RUN,
    maxJobChecksPerRun: DEFAULT_MAX_JOB_CHECKS_PER_RUN,
    maxDeliveryPages: DEFAULT_MAX_DELIVERY_PAGES,
    minAttemptAgeSeconds: DEFAULT_MIN_ATTEMPT_AGE_SECONDS,
  };
}
