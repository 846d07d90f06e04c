// The GitHub steps' configuration, parsed once at cold start; a missing or bad variable names itself.
import * as z from 'zod';
import { ENV, type GitHubScope, type RunnerClassRuntime } from '../../statemachine/contracts';
import { jsonEnv, nonNegativeIntEnv, positiveIntEnv, readEnv } from '../shared/env';
import { readGitHubAppEnv, readJitBucketArnEnv, readRerunEnv, readRunnerNamePrefixEnv, readScopeEnv } from '../shared/fleet-env';

export interface StepsConfig {
  gitHubAppId: number;
  /** https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server. */
  gitHubApiUrl: string;
  gitHubScope: GitHubScope;
  privateKeySecretArn: string;
  /** In configuration order: the first class that offers every requested label wins. */
  runnerClasses: RunnerClassRuntime[];
  runnerNamePrefix: string;
  jitBucketArn: string;
  clusterArn: string;
  /** Launch attempts per job (first launch included). */
  maxAttempts: number;
  /** Spot interruptions after which the next launch uses on-demand capacity. */
  onDemandAfterInterruptions: number;
  /** Re-run a job whose runner was Spot-interrupted while running it (needs the App's Actions: write). */
  rerunInterruptedJobs: boolean;
  /** No re-run once the job's run has reached this attempt, so a job cannot be re-run forever. */
  maxRunAttempt: number;
}

const strategy = z.array(
  z.object({ CapacityProvider: z.string().min(1), Weight: z.number().int().nonnegative().exactOptional(), Base: z.number().int().nonnegative().exactOptional() }),
);

const runnerClassSchema = z.object({
  name: z.string().min(1),
  labels: z.array(z.string().min(1)),
  architecture: z.enum(['x86_64', 'arm64']),
  docker: z.boolean(),
  capacity: z.enum(['spot', 'on-demand']),
  taskDefinitionArn: z.string().min(1),
  spotCapacityProviderStrategy: strategy,
  onDemandCapacityProviderStrategy: strategy.min(1),
  maxRunners: z.number().int().nonnegative(),
});

/** `GITHUB_SCOPE`: where the fleet registers runners (shared with the sweeper). */
export function readStepsConfig(env: NodeJS.ProcessEnv = process.env): StepsConfig {
  return {
    ...readGitHubAppEnv(env),
    gitHubScope: readScopeEnv(env),
    runnerClasses: readEnv(ENV.runnerClasses, jsonEnv(z.array(runnerClassSchema).min(1)), env),
    runnerNamePrefix: readRunnerNamePrefixEnv(env),
    jitBucketArn: readJitBucketArnEnv(env),
    clusterArn: readEnv(ENV.clusterArn, z.string().startsWith('arn:'), env),
    maxAttempts: readEnv(ENV.maxAttempts, positiveIntEnv, env),
    onDemandAfterInterruptions: readEnv(ENV.onDemandAfterInterruptions, nonNegativeIntEnv, env),
    ...readRerunEnv(env),
  };
}
