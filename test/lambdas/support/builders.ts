// Small builders with overrides: each test states only what matters to it.
import type { LaunchRequest, LifecycleState, RunnerClassRuntime, RunnerLaunch } from '../../../statemachine/contracts';
import type { StepsConfig } from '../../../lambdas/github-steps/config';
import { APP_ID, API_URL, INSTALLATION_ID } from './github-fixtures';

export const EXECUTION_NAME = '4b1f0c8e-6a0d-4a51-9a3e-2f0d1c9b7e55';
export const EXECUTION_ARN = `arn:aws:states:eu-west-1:111122223333:execution:RunnerLifecycle:${EXECUTION_NAME}`;
export const EXECUTION = { executionName: EXECUTION_NAME, executionArn: EXECUTION_ARN };
export const JIT_BUCKET_ARN = 'arn:aws:s3:::fleet-jit-configs';
export const CLUSTER_ARN = 'arn:aws:ecs:eu-west-1:111122223333:cluster/runners';

export function aLaunchRequest(overrides: Partial<LaunchRequest> = {}): LaunchRequest {
  return {
    owner: 'octo-org',
    repo: 'hello-world',
    labels: ['self-hosted', 'linux', 'fargate'],
    jobId: 1234567,
    runId: 7654321,
    runAttempt: 1,
    installationId: INSTALLATION_ID,
    jobUrl: 'https://github.com/octo-org/hello-world/actions/runs/7654321/job/1234567',
    ...overrides,
  };
}

/** A manual launch: no job, no installation id. */
export function aManualRequest(overrides: Partial<LaunchRequest> = {}): LaunchRequest {
  return { owner: 'octo-org', repo: 'hello-world', labels: ['fargate'], ...overrides };
}

export function aRunnerClass(overrides: Partial<RunnerClassRuntime> = {}): RunnerClassRuntime {
  return {
    name: 'fargate',
    labels: ['fargate'],
    architecture: 'x86_64',
    docker: false,
    capacity: 'spot',
    taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/runner-fargate:3',
    spotCapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
    onDemandCapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
    maxRunners: 20,
    ...overrides,
  };
}

export function aStepsConfig(overrides: Partial<StepsConfig> = {}): StepsConfig {
  return {
    gitHubAppId: APP_ID,
    gitHubApiUrl: API_URL,
    gitHubScope: { type: 'repositories', repositories: ['octo-org/hello-world'] },
    privateKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:github-app-key-AbCdEf',
    runnerClasses: [aRunnerClass()],
    runnerNamePrefix: 'ecs',
    jitBucketArn: JIT_BUCKET_ARN,
    clusterArn: CLUSTER_ARN,
    maxAttempts: 3,
    onDemandAfterInterruptions: 2,
    rerunInterruptedJobs: false,
    maxRunAttempt: 3,
    ...overrides,
  };
}

export function aRunnerLaunch(overrides: Partial<RunnerLaunch> = {}): RunnerLaunch {
  const name = overrides.name ?? 'ecs-1234567-1';
  return {
    name,
    id: 23,
    runnerClass: 'fargate',
    taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/runner-fargate:3',
    capacity: 'spot',
    capacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
    onDemandCapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
    jitConfigArn: `${JIT_BUCKET_ARN}/jit/${name}.env`,
    tags: [{ Key: 'fleet:runner', Value: name }],
    ...overrides,
  };
}

/** A lifecycle state as Mint token receives it on a relaunch, or Clean up after Mint token failed: no runner. */
export function withoutRunner(state: LifecycleState): LifecycleState {
  const copy = { ...state };
  delete copy.runner;
  return copy;
}

/** The state Clean up receives after Run runner: Mint token's output plus the stopped task. */
export function aLifecycleState(overrides: Partial<LifecycleState> = {}): LifecycleState {
  return { request: aLaunchRequest(), attempt: 1, interruptions: 0, onDemand: false, attempts: [], runner: aRunnerLaunch(), ...overrides };
}

export const TASK_ARN = 'arn:aws:ecs:eu-west-1:111122223333:task/runners/0f8e3c2a9b7d4e6f8a1b2c3d4e5f6a7b';

interface TaskOverrides {
  LastStatus?: string;
  StopCode?: string;
  StoppedReason?: string;
  CapacityProviderName?: string;
  runnerExitCode?: number | null;
  runnerReason?: string;
}

/** An ECS task as runTask.sync returns it (DescribeTasks, PascalCase), trimmed. */
export function aStoppedTask(overrides: TaskOverrides = {}) {
  const runner: Record<string, unknown> = {
    ContainerArn: `${TASK_ARN.replace(':task/', ':container/')}/runner`,
    Name: 'runner',
    LastStatus: 'STOPPED',
    ExitCode: overrides.runnerExitCode === undefined ? 0 : overrides.runnerExitCode,
  };
  if (overrides.runnerReason) runner['Reason'] = overrides.runnerReason;
  return {
    Attachments: [],
    AvailabilityZone: 'eu-west-1a',
    CapacityProviderName: overrides.CapacityProviderName ?? 'FARGATE_SPOT',
    ClusterArn: CLUSTER_ARN,
    Containers: [runner, { Name: 'docker', LastStatus: 'STOPPED', ExitCode: 0 }],
    Cpu: '2048',
    CreatedAt: 1796400000000,
    DesiredStatus: 'STOPPED',
    Group: 'family:runner-fargate',
    LastStatus: overrides.LastStatus ?? 'STOPPED',
    LaunchType: 'FARGATE',
    Memory: '4096',
    Overrides: { ContainerOverrides: [{ Name: 'runner', EnvironmentFiles: [{ Type: 's3', Value: `${JIT_BUCKET_ARN}/jit/ecs-1234567-1.env` }] }] },
    StartedBy: 'ecs-1234567-1',
    StopCode: overrides.StopCode ?? 'EssentialContainerExited',
    StoppedReason: overrides.StoppedReason ?? 'Essential container in task exited',
    TaskArn: TASK_ARN,
    TaskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/runner-fargate:3',
    Version: 4,
  };
}
