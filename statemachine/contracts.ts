// The contracts between the parts of the fleet: state names, error names and the payloads that pass between
// states. Imported by the CDK definition, the Lambdas, the sandbox, the CLI and the tests, so no name is typed
// twice. This module has no imports on purpose: runtime code and infrastructure code both depend on it.

/** State names: what people read in the console audit of one runner's life. */
export const STATE = {
  mintToken: 'Mint token',
  runRunner: 'Run runner',
  runRunnerOnDemand: 'Run runner on demand',
  cleanUp: 'Clean up',
  checkJob: 'Check job',
  rerunJob: 'Re-run job',
  done: 'Done',
  notNeeded: 'Not needed',
  duplicate: 'Duplicate',
  noMatchingRunnerClass: 'No matching runner class',
  failed: 'Failed',
} as const;
export type StateName = (typeof STATE)[keyof typeof STATE];

/** Errors our Lambdas throw that the state machine retries or routes on. */
export const ERROR = {
  jobNotQueued: 'JobNotQueued',
  runnerNameTaken: 'RunnerNameTaken',
  gitHubRateLimited: 'GitHubRateLimited',
  gitHubUnavailable: 'GitHubUnavailable',
  runnerBusy: 'RunnerBusy',
  invalidLaunchRequest: 'InvalidLaunchRequest',
  noMatchingRunnerClass: 'NoMatchingRunnerClass',
  /** The runner task ended in a way that served no job and cannot be retried (bad image, crash, timeout). */
  runnerFailed: 'RunnerFailed',
  /** Launches kept failing or being interrupted until the attempt limit. */
  attemptsExhausted: 'AttemptsExhausted',
  /** The runner class is at its maxRunners: Mint token is retried until a slot frees (bounded). */
  runnerCapReached: 'RunnerCapReached',
  /** GitHub refuses a re-run while the workflow run is still in progress: Re-run job is retried. */
  jobStillRunning: 'JobStillRunning',
} as const;
export type ErrorName = (typeof ERROR)[keyof typeof ERROR];

/** Errors Step Functions itself raises around the ECS and Lambda integrations. */
export const SERVICE_ERROR = {
  ecsException: 'ECS.AmazonECSException',
  ecsServerException: 'ECS.ServerException',
  ecsInvalidParameter: 'ECS.InvalidParameterException',
  ecsUnknown: 'AmazonECS.Unknown',
  taskFailed: 'States.TaskFailed',
  timeout: 'States.Timeout',
  all: 'States.ALL',
  lambdaService: 'Lambda.ServiceException',
  lambdaTooManyRequests: 'Lambda.TooManyRequestsException',
  lambdaSdkClient: 'Lambda.SdkClientException',
  lambdaAws: 'Lambda.AWSLambdaException',
} as const;

/** EventBridge event that carries a GitHub webhook (the relay's output, and AWS's own GitHub relay's). */
export const GITHUB_EVENT = {
  source: 'github.com',
  workflowJobDetailType: 'workflow_job',
  deliveryIdField: 'x-github-delivery',
} as const;

/** The name of the runner container in every runner task definition (the JIT config is delivered to it). */
export const RUNNER_CONTAINER_NAME = 'runner';
/** The variable the JIT environment file sets; the runner entrypoint reads it and removes it. */
export const JIT_CONFIG_VARIABLE = 'RUNNER_JIT_CONFIG';

/** The lifecycle's input: what the rule's input transformer produces and what a person types in the console. */
export interface LaunchRequest {
  owner: string;
  repo: string;
  labels: string[];
  jobId?: number | null;
  runId?: number | null;
  runAttempt?: number | null;
  installationId?: number | null;
  jobUrl?: string | null;
}

export type Capacity = 'spot' | 'on-demand';

/** One entry of an ECS capacity provider strategy, in the PascalCase the RunTask API takes. */
export interface CapacityProviderStrategyItem {
  CapacityProvider: string;
  Weight?: number;
  Base?: number;
}

export interface Tag {
  Key: string;
  Value: string;
}

/** What Mint token hands to Run runner: all RunTask needs, and a reference to the JIT config, never the config. */
export interface RunnerLaunch {
  /** Runner registration name on GitHub, `<prefix>-<job id>-<attempt>`. */
  name: string;
  /** Runner id on GitHub, from generate-jitconfig. */
  id: number;
  runnerClass: string;
  taskDefinitionArn: string;
  capacity: Capacity;
  capacityProviderStrategy: CapacityProviderStrategyItem[];
  onDemandCapacityProviderStrategy: CapacityProviderStrategyItem[];
  /** S3 object ARN of the environment file that holds the JIT config (read by the task's execution role). */
  jitConfigArn: string;
  /** The runner slot of the class this runner holds (`slots/<class>/<index>`); Clean up releases it. */
  slot?: string;
  tags: Tag[];
}

/** How one runner's launch ended, as Clean up classified it. */
export type Outcome =
  | 'served-job'
  | 'served-other-job'
  | 'idle'
  | 'spot-interrupted'
  | 'capacity-unavailable'
  | 'runner-failed'
  | 'launch-failed';

/** One launch attempt in the execution's summary. */
export interface AttemptSummary {
  attempt: number;
  runner: string;
  runnerClass: string | null;
  capacity: Capacity | null;
  /** The capacity provider ECS actually placed the task on. */
  capacityProvider: string | null;
  taskArn: string | null;
  outcome: Outcome;
  /** ECS stop code and reason, or the launch error, in one line. */
  detail: string | null;
  registrationDeleted: boolean;
  /** When it served its job: the job queued (GitHub), the runner's containers started (ECS), the job started (GitHub). */
  timing?: { jobQueuedAt: string | null; runnerStartedAt: string | null; jobStartedAt: string | null };
}

/** What Clean up asks the `Check job` choice to do next. */
export type NextStep = 'done' | 'relaunch' | 'rerun' | 'fail';

/** An error as a Catch records it. */
export interface CaughtError {
  Error: string;
  Cause?: string;
}

/**
 * The state document that flows through the lifecycle. Mint token writes `runner`; Run runner writes `task`
 * (the ECS task as DescribeTasks returns it); a Catch writes `error`; Clean up removes `runner` and `task`,
 * appends to `attempts` and sets `next`.
 */
export interface LifecycleState {
  request: LaunchRequest;
  /** 1-based launch attempt. */
  attempt: number;
  interruptions: number;
  /** Launch the next attempt on on-demand capacity whatever the class prefers. */
  onDemand: boolean;
  attempts: AttemptSummary[];
  runner?: RunnerLaunch;
  task?: unknown;
  capacityFallback?: CaughtError;
  error?: CaughtError;
  next?: NextStep;
  /** With next = 'rerun': the job Re-run job asks GitHub to run again. */
  rerun?: RerunTarget;
}

/** A job to re-run after its runner was interrupted mid-job. */
export interface RerunTarget {
  owner: string;
  repo: string;
  jobId: number;
  runAttempt: number | null;
  installationId: number | null;
}

/** The Lambda that talks to GitHub serves several states; the state's Parameters name the step. */
export const GITHUB_STEP = {
  mintToken: 'mint-token',
  cleanUp: 'clean-up',
  rerunJob: 're-run-job',
} as const;
export type GitHubStep = (typeof GITHUB_STEP)[keyof typeof GITHUB_STEP];

/** The Parameters every GitHub-step state passes: the whole state document plus the execution's identity. */
export interface GitHubStepInput {
  step: GitHubStep;
  state: unknown;
  executionName: string;
  executionArn: string;
}

/** A runner class as the Lambdas see it (the stack renders it from the configuration into `RUNNER_CLASSES`). */
export interface RunnerClassRuntime {
  name: string;
  /** Labels the runner registers with (generate-jitconfig `labels`). */
  labels: string[];
  architecture: 'x86_64' | 'arm64';
  docker: boolean;
  capacity: Capacity;
  taskDefinitionArn: string;
  spotCapacityProviderStrategy: CapacityProviderStrategyItem[];
  onDemandCapacityProviderStrategy: CapacityProviderStrategyItem[];
  maxRunners: number;
}

/** Where the fleet registers runners: one organization, or a fixed list of repositories. */
export type GitHubScope =
  | { type: 'organization'; organization: string; runnerGroupId: number }
  | { type: 'repositories'; repositories: string[] };

/** Environment variables the stack sets and the Lambdas read: names and ARNs only, never secret values. */
export const ENV = {
  gitHubAppId: 'GITHUB_APP_ID',
  gitHubApiUrl: 'GITHUB_API_URL',
  gitHubScope: 'GITHUB_SCOPE',
  privateKeySecretArn: 'GITHUB_PRIVATE_KEY_SECRET_ARN',
  webhookSecretArn: 'WEBHOOK_SECRET_ARN',
  eventBusName: 'EVENT_BUS_NAME',
  maxWebhookBytes: 'MAX_WEBHOOK_BYTES',
  runnerClasses: 'RUNNER_CLASSES',
  runnerNamePrefix: 'RUNNER_NAME_PREFIX',
  jitBucketArn: 'JIT_BUCKET_ARN',
  clusterArn: 'CLUSTER_ARN',
  maxAttempts: 'MAX_ATTEMPTS',
  onDemandAfterInterruptions: 'ON_DEMAND_AFTER_INTERRUPTIONS',
  /** Re-run a job whose runner was Spot-interrupted mid-job ("true"/"false"), and up to which run attempt. */
  rerunInterruptedJobs: 'RERUN_INTERRUPTED_JOBS',
  maxRunAttempt: 'MAX_RUN_ATTEMPT',
  stateMachineArn: 'STATE_MACHINE_ARN',
  /** Sweeper: an offline registration, a slot or a claim younger than this is left alone. */
  sweeperGraceSeconds: 'SWEEPER_GRACE_SECONDS',
  jitFileMaxAgeSeconds: 'JIT_FILE_MAX_AGE_SECONDS',
  /** Sweeper: a runner task older than this (the longest allowed job and its start-up) is stopped. */
  maxTaskAgeSeconds: 'MAX_TASK_AGE_SECONDS',
  /** Redelivery: how far back failed deliveries are looked for, and how often one is tried again at most. */
  redeliveryWindowMinutes: 'REDELIVERY_WINDOW_MINUTES',
  maxRedeliveries: 'MAX_REDELIVERIES',
} as const;

/**
 * Exit codes of the runner container's entrypoint (`runner/entrypoint.py`), read by Clean up from the stopped
 * task. The Python side cannot import this module; a test keeps the two in step.
 */
export const RUNNER_EXIT_CODE = {
  /** The job finished (whatever its result), or no job came within the idle timeout. */
  ok: 0,
  missingJitConfig: 10,
  dockerNotReady: 11,
  runnerFailed: 12,
  /** 128 + signal: the task was stopped (Spot interruption, StopTask) and the runner was told to stop. */
  terminated: 143,
  interrupted: 130,
} as const;

/**
 * A ceiling on launches for one job, whatever served what: launches that served no job are bounded by maxAttempts,
 * launches for a job whose runner another job took are not (each served a job), but never more than this.
 */
export const MAX_LAUNCHES_PER_JOB = 50;

/** Where Mint token writes a runner's JIT environment file inside the JIT bucket. */
export const JIT_OBJECT_PREFIX = 'jit/';
/** Where Mint token takes one of a capped class's runner slots: `slots/<class>/<index>`, create-only, holding a SlotHolder. */
export const SLOT_OBJECT_PREFIX = 'slots/';
/** Where the job-started handler records which job a runner of ours took: `assignments/<runner>.json` (a JobAssignment). */
export const ASSIGNMENT_OBJECT_PREFIX = 'assignments/';

/** Where Clean up records a runner interrupted mid-job whose job is not known yet: `interrupted/<runner>`. */
export const INTERRUPTION_OBJECT_PREFIX = 'interrupted/';
/** Where the re-run of a job is claimed, create-only, so that it is re-run once: `reruns/<job id>`. */
export const RERUN_OBJECT_PREFIX = 'reruns/';

/** The body of a slot object. */
export interface SlotHolder {
  runner: string;
  executionArn: string;
}

/** The body of an assignment object: the job GitHub gave the runner (it may not be the one it was launched for). */
export interface JobAssignment {
  runner: string;
  jobId: number;
  owner: string;
  repo: string;
  runId: number | null;
  runAttempt: number | null;
  installationId: number | null;
  startedAt: string | null;
}

/** Where Mint token claims a runner name (create-only, holding the execution ARN) before registering it on GitHub. */
export const CLAIM_OBJECT_PREFIX = 'claims/';
