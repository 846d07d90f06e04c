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
import { JobNotQueuedError, NoMatchingRunnerClassError, RunnerNameTakenError } from '../shared/errors';
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

  if (attempt > 1 && request.jobId != null) {
    // A relaunch is only worth it while the job still waits for a runner.
    const job = await github.getJob({ owner: request.owner, repo: request.repo, installationId }, request.jobId);
    if (job.status !== 'queued') throw new JobNotQueuedError(request.jobId, job.status);
  }

  const name = runnerName(config.runnerNamePrefix, request, attempt, execution.executionName);
  const bucket = bucketNameFromArn(config.jitBucketArn);
  // Before any GitHub write: a duplicate stops here, and a retry of this execution learns that a 409 is its own.
  const claim = await claimRunnerName(s3, { bucket, name, executionArn: execution.executionArn }, logger);
  const spec: JitRunnerSpec = { name, labels: registrationLabels(runnerClass), runnerGroupId: runnerGroupIdOf(config.gitHubScope), workFolder: WORK_FOLDER };
  const registration = await registerRunner(github, target, spec, claim, logger);

  const key = jitObjectKey(name);
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: `${JIT_CONFIG_VARIABLE}=${registration.encodedJitConfig}\n`,
        ContentType: 'text/plain',
        ServerSideEncryption: 'AES256',
      }),
    );
  } catch (error) {
    // Without its JIT file the registration can never come online: remove it so nothing lingers.
    await github.deleteRunner(target, registration.runnerId).catch((deleteError: unknown) =>
      logger.warn('Could not delete the registration after the JIT file write failed', { runner: name, runnerId: registration.runnerId, error: deleteError }),
    );
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
