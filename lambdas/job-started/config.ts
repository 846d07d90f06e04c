// The job-started handler's configuration, parsed once at cold start; a missing or bad variable names itself.
import * as z from 'zod';
import { ENV } from '../../statemachine/contracts';
import { readEnv } from '../shared/env';
import { readGitHubAppEnv, readJitBucketArnEnv, readRerunEnv, readRunnerNamePrefixEnv } from '../shared/fleet-env';
import type { JobStartedConfig } from './job-started';

export interface JobStartedHandlerConfig extends JobStartedConfig {
  gitHubAppId: number;
  gitHubApiUrl: string;
  privateKeySecretArn: string;
  stateMachineArn: string;
}

export function readJobStartedConfig(env: NodeJS.ProcessEnv = process.env): JobStartedHandlerConfig {
  return {
    ...readGitHubAppEnv(env),
    runnerNamePrefix: readRunnerNamePrefixEnv(env),
    jitBucketArn: readJitBucketArnEnv(env),
    stateMachineArn: readEnv(ENV.stateMachineArn, z.string().startsWith('arn:'), env),
    ...readRerunEnv(env),
  };
}
