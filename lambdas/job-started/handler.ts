// The Lambda behind the rule for `workflow_job` `in_progress` events of our runners: clients live for the container.
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { createGitHubClient } from '../github/client';
import { createLogger } from '../shared/logger';
import { createMetrics } from '../shared/metrics';
import { createSecretReader } from '../shared/secrets';
import { readJobStartedConfig } from './config';
import { onJobStarted, type JobStartedResult, type StartExecution } from './job-started';

const config = readJobStartedConfig();
const logger = createLogger({ component: 'job-started' });
const privateKey = createSecretReader(new SecretsManagerClient({}), config.privateKeySecretArn);
const sfn = new SFNClient({});

const startExecution: StartExecution = async (name, input) => {
  try {
    await sfn.send(new StartExecutionCommand({ stateMachineArn: config.stateMachineArn, name, input: JSON.stringify(input) }));
    return 'started';
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) return 'exists';
    throw error;
  }
};

const deps = {
  github: createGitHubClient({ appId: config.gitHubAppId, privateKey: () => privateKey.read(), baseUrl: config.gitHubApiUrl, logger }),
  s3: new S3Client({}),
  startExecution,
  config,
  logger,
  metrics: createMetrics(),
};

export const handler = (event: unknown): Promise<JobStartedResult> => onJobStarted(event, deps);
