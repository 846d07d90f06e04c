// Re-run job: a runner was Spot-interrupted while running a job, GitHub failed that job, and the fleet is set to
// re-run such jobs (rerunInterruptedJobs; the App needs Actions: write). The new attempt's `queued` webhook starts
// a new lifecycle of its own. While the run is still in progress GitHub refuses (JobStillRunning: retried).
import type { S3Client } from '@aws-sdk/client-s3';
import type { LifecycleState } from '../../statemachine/contracts';
import type { GitHubClient } from '../github/client';
import { statusOf } from '../github/map-error';
import { claimRerun } from '../lifecycle/interrupted-jobs';
import { toLifecycleState } from '../lifecycle/lifecycle-state';
import { bucketNameFromArn } from '../lifecycle/runner-name';
import { InvalidLaunchRequestError } from '../shared/errors';
import type { Logger } from '../shared/logger';

export interface RerunJobDeps {
  github: GitHubClient;
  s3: Pick<S3Client, 'send'>;
  config: { jitBucketArn: string };
  logger: Logger;
}

export async function rerunJob(input: unknown, executionArn: string, deps: RerunJobDeps): Promise<LifecycleState> {
  const state = toLifecycleState(input);
  const target = state.rerun;
  if (!target) throw new InvalidLaunchRequestError('rerun', 'is missing: Re-run job runs after Clean up chose a job to re-run ($.next = "rerun").');
  const { owner, repo, jobId } = target;
  const installationId = target.installationId ?? (await deps.github.getInstallationId({ owner, repo }));
  const { rerun, ...rest } = state;
  // Once per job: the job-started handler may re-run it too, when it learns late which job the runner ran.
  if ((await claimRerun(deps.s3, bucketNameFromArn(deps.config.jitBucketArn), jobId, executionArn)) === 'taken') {
    deps.logger.info('Job already re-run by another part of the fleet', { jobId });
    return { ...rest, next: 'done' };
  }
  try {
    await deps.github.rerunJob({ owner, repo, installationId }, jobId);
  } catch (error) {
    // The run or the repository was deleted meanwhile: there is nothing to re-run.
    if (statusOf(error) !== 404) throw error;
    deps.logger.info('Job to re-run no longer exists', { jobId, repository: `${owner}/${repo}` });
    return { ...rest, next: 'done' };
  }
  deps.logger.info('Job re-run requested', { jobId, repository: `${owner}/${repo}`, runAttempt: rerun?.runAttempt ?? null });
  return { ...rest, next: 'done' };
}
