// The environment variables several of the fleet's functions share (the GitHub App, the scope, the runner name
// prefix, the JIT bucket, re-run settings), parsed with the same rules everywhere.
import * as z from 'zod';
import { ENV, type GitHubScope } from '../../statemachine/contracts';
import { bucketNameFromArn, RUNNER_NAME_PREFIX_PATTERN } from '../lifecycle/runner-name';
import { jsonEnv, positiveIntEnv, readEnv } from './env';

export interface GitHubAppEnv {
  gitHubAppId: number;
  /** https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server. */
  gitHubApiUrl: string;
  privateKeySecretArn: string;
}

export function readGitHubAppEnv(env: NodeJS.ProcessEnv): GitHubAppEnv {
  return {
    gitHubAppId: readEnv(ENV.gitHubAppId, positiveIntEnv, env),
    gitHubApiUrl: readEnv(ENV.gitHubApiUrl, z.url({ protocol: /^https?$/ }), env).replace(/\/+$/, ''),
    privateKeySecretArn: readEnv(ENV.privateKeySecretArn, z.string().startsWith('arn:'), env),
  };
}

export const scopeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('organization'), organization: z.string().min(1), runnerGroupId: z.number().int().positive() }),
  z.object({ type: z.literal('repositories'), repositories: z.array(z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'expected "owner/repo"')).min(1) }),
]);

export function readScopeEnv(env: NodeJS.ProcessEnv): GitHubScope {
  return readEnv(ENV.gitHubScope, jsonEnv(scopeSchema), env);
}

export function readRunnerNamePrefixEnv(env: NodeJS.ProcessEnv): string {
  return readEnv(ENV.runnerNamePrefix, z.string().regex(RUNNER_NAME_PREFIX_PATTERN, 'expected 1-32 letters, digits, "-" or "_", starting with a letter or digit'), env);
}

const bucketArn = z.string().refine((arn) => {
  try {
    bucketNameFromArn(arn);
    return true;
  } catch {
    return false;
  }
}, 'expected an S3 bucket ARN, arn:aws:s3:::bucket-name');

export function readJitBucketArnEnv(env: NodeJS.ProcessEnv): string {
  return readEnv(ENV.jitBucketArn, bucketArn, env);
}

export function readRerunEnv(env: NodeJS.ProcessEnv): { rerunInterruptedJobs: boolean; maxRunAttempt: number } {
  return {
    rerunInterruptedJobs: readEnv(ENV.rerunInterruptedJobs, z.enum(['true', 'false']), env) === 'true',
    maxRunAttempt: readEnv(ENV.maxRunAttempt, positiveIntEnv, env),
  };
}
