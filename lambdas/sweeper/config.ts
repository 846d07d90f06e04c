// The sweeper's configuration, parsed once at cold start; a missing or bad variable names itself. The GitHub,
// scope, prefix, bucket and cluster variables are the ones the GitHub steps read, with the same rules.
import * as z from 'zod';
import { ENV, type GitHubScope } from '../../statemachine/contracts';
import { positiveIntEnv, readEnv, readOptionalEnv } from '../shared/env';
import { readGitHubAppEnv, readJitBucketArnEnv, readRunnerNamePrefixEnv, readScopeEnv } from '../shared/fleet-env';

export const DEFAULT_SWEEPER_GRACE_SECONDS = 600;
export const DEFAULT_JIT_FILE_MAX_AGE_SECONDS = 3600;
/** Deletions and stops per run, all kinds together: what is left waits for the next run. */
export const DEFAULT_MAX_ACTIONS_PER_RUN = 100;
/** Pages of 100 registrations listed per run, all targets together. */
export const DEFAULT_MAX_RUNNER_PAGES = 10;

export interface SweeperConfig {
  gitHubAppId: number;
  /** https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server. */
  gitHubApiUrl: string;
  gitHubScope: GitHubScope;
  privateKeySecretArn: string;
  runnerNamePrefix: string;
  jitBucketArn: string;
  clusterArn: string;
  /** An offline registration (by its name claim) or a slot younger than this is left alone. */
  graceSeconds: number;
  /** A JIT file older than this whose runner has no live task is deleted. */
  jitFileMaxAgeSeconds: number;
  /** A runner task older than this is stopped. */
  maxTaskAgeSeconds: number;
  maxActionsPerRun: number;
  maxRunnerPages: number;
}

export function readSweeperConfig(env: NodeJS.ProcessEnv = process.env): SweeperConfig {
  return {
    ...readGitHubAppEnv(env),
    gitHubScope: readScopeEnv(env),
    runnerNamePrefix: readRunnerNamePrefixEnv(env),
    jitBucketArn: readJitBucketArnEnv(env),
    clusterArn: readEnv(ENV.clusterArn, z.string().startsWith('arn:'), env),
    graceSeconds: readOptionalEnv(ENV.sweeperGraceSeconds, positiveIntEnv, DEFAULT_SWEEPER_GRACE_SECONDS, env),
    jitFileMaxAgeSeconds: readOptionalEnv(ENV.jitFileMaxAgeSeconds, positiveIntEnv, DEFAULT_JIT_FILE_MAX_AGE_SECONDS, env),
    maxTaskAgeSeconds: readEnv(ENV.maxTaskAgeSeconds, positiveIntEnv, env),
    maxActionsPerRun: DEFAULT_MAX_ACTIONS_PER_RUN,
    maxRunnerPages: DEFAULT_MAX_RUNNER_PAGES,
  };
}
