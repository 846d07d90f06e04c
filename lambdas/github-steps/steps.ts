// One function serves the two GitHub-facing states, so only it can read the App private key and the
// installation-token cache is shared. The state's Parameters name the step.
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { GITHUB_STEP, type LifecycleState } from '../../statemachine/contracts';
import { cleanUp } from '../clean-up/clean-up';
import type { GitHubClient } from '../github/client';
import { mintToken } from '../mint-token/mint-token';
import { rerunJob } from '../rerun-job/rerun-job';
import { InvalidLaunchRequestError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import type { Metrics } from '../shared/metrics';
import type { StepsConfig } from './config';

export interface GitHubStepsDeps {
  github: GitHubClient;
  s3: Pick<S3Client, 'send'>;
  ecs: Pick<ECSClient, 'send'>;
  config: StepsConfig;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
}

const stepInputSchema = z.object({
  step: z.enum([GITHUB_STEP.mintToken, GITHUB_STEP.cleanUp, GITHUB_STEP.rerunJob]),
  state: z.unknown(),
  executionName: z.string().min(1),
  executionArn: z.string().min(1),
});

export function createGitHubSteps(deps: GitHubStepsDeps): (input: unknown) => Promise<LifecycleState> {
  const now = deps.now ?? Date.now;
  return async (input) => {
    const parsed = stepInputSchema.safeParse(input);
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join('.') || '(input)';
      throw new InvalidLaunchRequestError(field, `is missing or invalid in the step input: the state's Parameters must pass {step: "mint-token" | "clean-up" | "re-run-job", state, executionName, executionArn}.`);
    }
    const { step, state, executionName, executionArn } = parsed.data;
    const logger = deps.logger.child({ step, execution: executionName });
    const callsBefore = deps.github.callCounts();
    const startedAt = now();
    try {
      const execution = { executionName, executionArn };
      if (step === GITHUB_STEP.mintToken) return await mintToken(state, execution, { ...deps, logger });
      if (step === GITHUB_STEP.rerunJob) return await rerunJob(state, executionArn, { ...deps, logger });
      return await cleanUp(state, execution, { ...deps, logger });
    } catch (error) {
      logger.warn('Step failed', { error });
      throw error;
    } finally {
      logger.info('Step finished', { durationMs: now() - startedAt, gitHubCalls: callsSince(callsBefore, deps.github.callCounts()) });
      const rateLimit = deps.github.rateLimit();
      // Headroom on GitHub's hourly limit of the installation, as its last answer stated it.
      if (rateLimit) {
        deps.metrics.emit({}, { GitHubRateLimitRemaining: { value: rateLimit.remaining, unit: 'Count' }, GitHubRateLimitUsed: { value: Math.round((100 * (rateLimit.limit - rateLimit.remaining)) / rateLimit.limit), unit: 'Percent' } });
      }
    }
  };
}

/** As a list: routes such as `.../access_tokens` would trip the logger's credential-key redaction as object keys. */
function callsSince(before: Record<string, number>, after: Record<string, number>): { route: string; calls: number }[] {
  return Object.entries(after).flatMap(([route, count]) => (count > (before[route] ?? 0) ? [{ route, calls: count - (before[route] ?? 0) }] : []));
}
