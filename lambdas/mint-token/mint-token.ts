// Mint token: register one just-in-time runner for the job and hand Run runner everything RunTask needs,
// with the JIT config stored in S3 and referenced by ARN (it is a credential: never in the state, a log or an error).
// The runner name is claimed in S3 before GitHub is called (claim-runner-name.ts): that is the duplicate-event guard.
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { JIT_CONFIG_VARIABLE, type Capacity, type LifecycleState, type RunnerClassRuntime, type RunnerLaunch, type Tag } from '../../statemachine/contracts';
import type { GitHubClient, JitConfig, JitRunnerSpec, RunnerTarget } from '../github/client';
import { toLifecycleState } from '../lifecycle/lifecycle-state';
import { matchRunnerClass, registrationLabels } from '../lifecycle/runner-class';
import { bucketNameFromArn, jitObjectKey, runnerName } from '../lifecycle/runner-name';
import { installationOwnerOf, runnerGroupIdOf, runnerTargetFor } from '../lifecycle/scope';
import { takeSlot, releaseSlot } from '../lifecycle/runner-slots';
import { JobNotQueuedError, NoMatchingRunnerClassError, RunnerCapReachedError, RunnerNameTakenError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import type { StepsConfig } from '../github-steps/config';
import { claimRunnerName, type RunnerNameClaim } from './claim-runner-name';

export const WORK_FOLDER = '_work';

export interface ExecutionIdentity {
  executionName: string;
  executionArn: string;
}

export interface MintTokenDeps {
  github: GitHubClient;
  s3: Pick<S3Client, 'send'>;
  config: Pick<StepsConfig, 'gitHubScope' | 'runnerClasses' | 'runnerNamePrefix' | 'jitBucketArn' | 'onDemandAfterInterruptions'>;
  logger: Logger;
}

export async function mintToken(input: unknown, execution: ExecutionIdentity, deps: MintTokenDeps): Promise<LifecycleState> {
  const { github, s3, config, logger } = deps;
  const previous = toLifecycleState(input);
  const attempt = previous.next === 'relaunch' ? previous.attempt + 1 : previous.attempt;
  const { request } = previous;

  const scoped = runnerTargetFor(request, config.gitHubScope);
  const runnerClass = matchRunnerClass(request.labels, config.runnerClasses);
  if (!runnerClass) throw new NoMatchingRunnerClassError(request.labels, config.runnerClasses);

  const installationId = request.installationId ?? (await github.getInstallationId(installationOwnerOf(scoped)));
  const target: RunnerTarget = { ...scoped, installationId };

  const repository = { owner: request.owner, repo: request.repo, installationId };
  const stillQueued = async (jobId: number): Promise<void> => {
    const job = await github.getJob(repository, jobId);
    if (job.status !== 'queued') throw new JobNotQueuedError(jobId, job.status);
  };
  // A relaunch is only worth it while the job still waits for a runner.
  if (attempt > 1 && request.jobId != null) await stillQueued(request.jobId);

  const name = runnerName(config.runnerNamePrefix, request, attempt, execution.executionName);
  const bucket = bucketNameFromArn(config.jitBucketArn);
  // Before any GitHub write: a duplicate stops here, and a retry of this execution learns that a 409 is its own.
  const claim = await claimRunnerName(s3, { bucket, name, executionArn: execution.executionArn, request, runnerClass: runnerClass.name }, logger);
  // The class's cap: without a free slot, RunnerCapReached makes Step Functions try again later (bounded).
  const slot = await takeSlot(s3, bucket, runnerClass.name, runnerClass.maxRunners, { runner: name, executionArn: execution.executionArn });
  if (slot === undefined) throw new RunnerCapReachedError(runnerClass.name, runnerClass.maxRunners);

  let registration: JitConfig;
  const key = jitObjectKey(name);
  try {
    // A retry of a first attempt may have waited for a slot: launch only if the job still waits for a runner.
    if (claim === 'ours' && attempt === 1 && request.jobId != null) await stillQueued(request.jobId);
    const spec: JitRunnerSpec = { name, labels: registrationLabels(runnerClass), runnerGroupId: runnerGroupIdOf(config.gitHubScope), workFolder: WORK_FOLDER };
    registration = await registerRunner(github, target, spec, claim, logger);
    await storeJitConfig(deps, { bucket, key, name, target, registration });
  } catch (error) {
    // Nothing of this try will run: the slot goes back at once (Clean up would find no runner to release it for).
    await releaseSlot(s3, bucket, slot, name).catch((releaseError: unknown) => logger.warn('Could not release the runner slot; the sweeper will', { runner: name, slot, error: releaseError }));
    throw error;
  }

  const capacity = chooseCapacity(runnerClass, previous.onDemand, previous.interruptions, config.onDemandAfterInterruptions);
  const runner: RunnerLaunch = {
    name,
    id: registration.runnerId,
    runnerClass: runnerClass.name,
    taskDefinitionArn: runnerClass.taskDefinitionArn,
    capacity,
    capacityProviderStrategy: capacity === 'spot' ? runnerClass.spotCapacityProviderStrategy : runnerClass.onDemandCapacityProviderStrategy,
    onDemandCapacityProviderStrategy: runnerClass.onDemandCapacityProviderStrategy,
    jitConfigArn: `${config.jitBucketArn}/${key}`,
    slot,
    tags: runnerTags(request, name, runnerClass.name, execution.executionArn),
  };
  logger.info('Runner registered', { runner: name, runnerId: runner.id, runnerClass: runner.runnerClass, capacity, attempt, jobId: request.jobId ?? null });

  return {
    request: { ...request, installationId },
    attempt,
    interruptions: previous.interruptions,
    onDemand: previous.onDemand,
    attempts: previous.attempts,
    runner,
  };
}

/** Writes the JIT environment file; without it the registration can never come online, so it is removed. */
async function storeJitConfig(
  deps: MintTokenDeps,
  file: { bucket: string; key: string; name: string; target: RunnerTarget; registration: JitConfig },
): Promise<void> {
  const { bucket, key, name, target, registration } = file;
  try {
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: `${JIT_CONFIG_VARIABLE}=${registration.encodedJitConfig}\n`,
        ContentType: 'text/plain',
        ServerSideEncryption: 'AES256',
      }),
    );
  } catch (error) {
    await deps.github.deleteRunner(target, registration.runnerId).catch((deleteError: unknown) =>
      deps.logger.warn('Could not delete the registration after the JIT file write failed', { runner: name, runnerId: registration.runnerId, error: deleteError }),
    );
    throw error;
  }
}

/**
 * generate-jitconfig, once. A 409 on a name this execution had already claimed is our own registration whose
 * response was lost (a timeout or 5xx after the write, then a Step Functions retry): replace it, once.
 */
async function registerRunner(github: GitHubClient, target: RunnerTarget, spec: JitRunnerSpec, claim: RunnerNameClaim, logger: Logger): Promise<JitConfig> {
  try {
    return await github.generateJitConfig(target, spec);
  } catch (error) {
    // A 409 after a new claim: the registration predates every claim of this name, so it is not ours to remove.
    if (!(error instanceof RunnerNameTakenError) || claim !== 'ours') throw error;
  }
  const orphan = await github.findRunnerByName(target, spec.name);
  // Its JIT config never reached a task, so it cannot be busy: a RunnerBusy here is a surprise and propagates.
  if (orphan) await github.deleteRunner(target, orphan.id);
  logger.info('Replacing the registration of an earlier try whose response was lost', { runner: spec.name, runnerId: orphan?.id ?? null });
  return github.generateJitConfig(target, spec); // a second 409 surfaces as RunnerNameTaken
}

export function chooseCapacity(runnerClass: RunnerClassRuntime, onDemand: boolean, interruptions: number, onDemandAfterInterruptions: number): Capacity {
  if (runnerClass.capacity === 'on-demand' || runnerClass.spotCapacityProviderStrategy.length === 0) return 'on-demand';
  return onDemand || interruptions >= onDemandAfterInterruptions ? 'on-demand' : 'spot';
}

function runnerTags(request: LifecycleState['request'], name: string, runnerClass: string, executionArn: string): Tag[] {
  const tags: Tag[] = [{ Key: 'github:repository', Value: `${request.owner}/${request.repo}` }];
  if (request.jobId != null) tags.push({ Key: 'github:job-id', Value: String(request.jobId) });
  if (request.runId != null) tags.push({ Key: 'github:run-id', Value: String(request.runId) });
  tags.push({ Key: 'fleet:runner', Value: name }, { Key: 'fleet:runner-class', Value: runnerClass }, { Key: 'fleet:execution', Value: executionArn });
  return tags;
}
