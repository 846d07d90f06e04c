// The GitHub steps' configuration, parsed once at cold start; a missing or bad variable names itself.
import * as z from 'zod';
import { ENV, type GitHubScope, type RunnerClassRuntime } from '../../statemachine/contracts';
import { jsonEnv, nonNegativeIntEnv, positiveIntEnv, readEnv } from '../shared/env';
import { bucketNameFromArn, RUNNER_NAME_PREFIX_PATTERN } from '../lifecycle/runner-name';

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

const scopeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('organization'), organization: z.string().min(1), runnerGroupId: z.number().int().positive() }),
  z.object({ type: z.literal('repositories'), repositories: z.array(z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'expected "owner/repo"')).min(1) }),
]);

const bucketArn = z.string().refine((arn) => {
  try {
    bucketNameFromArn(arn);
    return true;
  } catch {
    return false;
  }
}, 'expected an S3 bucket ARN, arn:aws:s3:::bucket-name');

export function readStepsConfig(env: NodeJS.ProcessEnv = process.env): StepsConfig {
  return {
    gitHubAppId: readEnv(ENV.gitHubAppId, positiveIntEnv, env),
    gitHubApiUrl: readEnv(ENV.gitHubApiUrl, z.url({ protocol: /^https?$/ }), env).replace(/\/+$/, ''),
    gitHubScope: readEnv(ENV.gitHubScope, jsonEnv(scopeSchema), env),
    privateKeySecretArn: readEnv(ENV.privateKeySecretArn, z.string().startsWith('arn:'), env),
    runnerClasses: readEnv(ENV.runnerClasses, jsonEnv(z.array(runnerClassSchema).min(1)), env),
    runnerNamePrefix: readEnv(ENV.runnerNamePrefix, z.string().regex(RUNNER_NAME_PREFIX_PATTERN, 'expected 1-32 letters, digits, "-" or "_", starting with a letter or digit'), env),
    jitBucketArn: readEnv(ENV.jitBucketArn, bucketArn, env),
    clusterArn: readEnv(ENV.clusterArn, z.string().startsWith('arn:'), env),
    maxAttempts: readEnv(ENV.maxAttempts, positiveIntEnv, env),
    onDemandAfterInterruptions: readEnv(ENV.onDemandAfterInterruptions, nonNegativeIntEnv, env),
  };
}
