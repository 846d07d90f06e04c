// The runner lifecycle, assembled from the tasks it is given. Every state name and error name comes from
// contracts.ts, so the definition, the Lambdas, the tests and the CLI cannot disagree.
//
//   Mint token ─▶ Run runner ─▶ Clean up ─▶ Check job ─▶ Done
//       ▲             │ no capacity ─▶ Run runner on demand ─▶ Clean up
//       └──────────── Check job: job still queued (interrupted, stolen, idle, failed start) ◀┘
//                                Check job: interrupted mid-job (opt-in) ─▶ Re-run job ─▶ Done
//
// Clean up runs on every path out once anything may exist (a registration, a JIT file, a task).
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ERROR, GITHUB_STEP, RUNNER_CONTAINER_NAME, SERVICE_ERROR, STATE, type GitHubStep } from './contracts';

export interface LifecycleDefinitionProps {
  /** The Lambda behind Mint token and Clean up (`lambdas/github-steps`). */
  readonly gitHubSteps: lambda.IFunction;
  readonly clusterArn: string;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  readonly assignPublicIp: boolean;
  /** The longest a runner task may run before the lifecycle gives up on it (Clean up then stops it). */
  readonly runnerTimeout: Duration;
  /** How long a job may wait for a free runner slot of its class (maxRunners) before the lifecycle gives up. */
  readonly capWait: Duration;
}

/** Waiting for a runner slot: tries every 15 s at first, then about once a minute (full jitter spreads them). */
const CAP_WAIT_MAX_DELAY = Duration.seconds(60);

/** Retry policy for GitHub's rate limits: wait past the reset, never fail a job for it (about 2 hours in all). */
const RATE_LIMIT_RETRY: sfn.RetryProps = {
  errors: [ERROR.gitHubRateLimited],
  interval: Duration.seconds(60),
  backoffRate: 2,
  maxDelay: Duration.minutes(15),
  maxAttempts: 12,
  jitterStrategy: sfn.JitterType.FULL,
};
const GITHUB_OUTAGE_RETRY: sfn.RetryProps = {
  errors: [ERROR.gitHubUnavailable],
  interval: Duration.seconds(5),
  backoffRate: 2,
  maxDelay: Duration.minutes(2),
  maxAttempts: 8,
  jitterStrategy: sfn.JitterType.FULL,
};
/**
 * The GitHub steps function has reserved concurrency: in a burst, invocations beyond it are throttled (and cost
 * nothing) until a slot frees. Keep trying for about 20 minutes, enough for GitHub to serve a large burst.
 */
const LAMBDA_THROTTLE_RETRY: sfn.RetryProps = {
  errors: [SERVICE_ERROR.lambdaTooManyRequests],
  interval: Duration.seconds(1),
  backoffRate: 1.5,
  maxDelay: Duration.seconds(30),
  maxAttempts: 50,
  jitterStrategy: sfn.JitterType.FULL,
};

export function buildLifecycleDefinition(scope: Construct, props: LifecycleDefinitionProps): sfn.IChainable {
  const done = new sfn.Succeed(scope, STATE.done, { comment: 'The runner served its job (or the manual launch ran) and nothing is left behind.' });
  const notNeeded = new sfn.Succeed(scope, STATE.notNeeded, { comment: 'The job was no longer queued: no runner was needed.' });
  const duplicate = new sfn.Succeed(scope, STATE.duplicate, { comment: 'Another execution already launched a runner for this job and attempt.' });
  const noMatchingClass = new sfn.Fail(scope, STATE.noMatchingRunnerClass, {
    comment: 'No runner class covers the requested labels.',
    error: ERROR.noMatchingRunnerClass,
    causePath: '$.error.Cause',
  });
  const failed = new sfn.Fail(scope, STATE.failed, { errorPath: '$.error.Error', causePath: '$.error.Cause' });

  const mintToken = gitHubStep(scope, STATE.mintToken, GITHUB_STEP.mintToken, props.gitHubSteps, 'Validates the launch request, picks the runner class, takes one of its runner slots, registers a single-use JIT runner and stores its config where only the task can read it.');
  mintToken.addRetry({
    errors: [ERROR.runnerCapReached],
    interval: Duration.seconds(15),
    backoffRate: 1.5,
    maxDelay: CAP_WAIT_MAX_DELAY,
    // Full jitter halves the mean wait: about capWait in all.
    maxAttempts: Math.max(1, Math.ceil(props.capWait.toSeconds() / (CAP_WAIT_MAX_DELAY.toSeconds() / 2))),
    jitterStrategy: sfn.JitterType.FULL,
  });
  const cleanUp = gitHubStep(scope, STATE.cleanUp, GITHUB_STEP.cleanUp, props.gitHubSteps, 'Classifies how the runner ended, deletes its registration and JIT file, stops a leftover task, and decides what comes next.');
  cleanUp.addRetry({ errors: [ERROR.runnerBusy], interval: Duration.seconds(30), backoffRate: 2, maxAttempts: 6, jitterStrategy: sfn.JitterType.FULL });
  cleanUp.addCatch(failed, { errors: [SERVICE_ERROR.all], resultPath: '$.error' });

  const runRunner = runTaskState(scope, STATE.runRunner, '$.runner.capacityProviderStrategy', props);
  const runOnDemand = runTaskState(scope, STATE.runRunnerOnDemand, '$.runner.onDemandCapacityProviderStrategy', props);
  // RunTask failures (no Spot capacity, or ECS still refusing after its retries): the same task on on-demand.
  runRunner.addCatch(runOnDemand, { errors: [SERVICE_ERROR.ecsUnknown, SERVICE_ERROR.ecsException], resultPath: '$.capacityFallback' });
  for (const run of [runRunner, runOnDemand]) {
    run.addCatch(cleanUp, { errors: [SERVICE_ERROR.all], resultPath: '$.error' });
    run.next(cleanUp);
  }

  mintToken.addCatch(duplicate, { errors: [ERROR.runnerNameTaken], resultPath: '$.error' });
  mintToken.addCatch(notNeeded, { errors: [ERROR.jobNotQueued], resultPath: '$.error' });
  mintToken.addCatch(noMatchingClass, { errors: [ERROR.noMatchingRunnerClass], resultPath: '$.error' });
  mintToken.addCatch(failed, { errors: [ERROR.invalidLaunchRequest], resultPath: '$.error' });
  // Anything else may have left a registration or a JIT file behind: clean up before failing.
  mintToken.addCatch(cleanUp, { errors: [SERVICE_ERROR.all], resultPath: '$.error' });

  const rerunJob = gitHubStep(scope, STATE.rerunJob, GITHUB_STEP.rerunJob, props.gitHubSteps, 'The runner was interrupted mid-job and GitHub failed the job: asks GitHub to re-run it (its new attempt starts a new lifecycle).');
  // GitHub refuses while the run is still in progress (it notices the lost runner within minutes): about 30 minutes.
  rerunJob.addRetry({ errors: [ERROR.jobStillRunning], interval: Duration.seconds(30), backoffRate: 1.5, maxDelay: Duration.minutes(5), maxAttempts: 10, jitterStrategy: sfn.JitterType.FULL });
  rerunJob.addCatch(failed, { errors: [SERVICE_ERROR.all], resultPath: '$.error' });
  rerunJob.next(done);

  const checkJob = new sfn.Choice(scope, STATE.checkJob, { comment: 'Clean up looked at the job: launch again while it is still queued, re-run it after an interruption (opt-in), or finish.' })
    .when(sfn.Condition.stringEquals('$.next', 'relaunch'), mintToken)
    .when(sfn.Condition.stringEquals('$.next', 'rerun'), rerunJob)
    .when(sfn.Condition.stringEquals('$.next', 'fail'), failed)
    .otherwise(done);

  cleanUp.next(checkJob);
  return mintToken.next(runRunner);
}

function gitHubStep(scope: Construct, name: string, step: GitHubStep, fn: lambda.IFunction, comment: string): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, name, {
    lambdaFunction: fn,
    comment,
    payload: sfn.TaskInput.fromObject({
      step,
      state: sfn.JsonPath.entirePayload,
      executionName: sfn.JsonPath.executionName,
      executionArn: sfn.JsonPath.executionId,
    }),
    outputPath: '$.Payload',
    retryOnServiceExceptions: true,
    // Above the function's own 3-minute timeout: an explicit bound (the States Language's default is 60 s,
    // Step Functions' own is a year; neither fits a call that may wait out a GitHub rate limit).
    taskTimeout: sfn.Timeout.duration(Duration.minutes(4)),
  });
  task.addRetry(LAMBDA_THROTTLE_RETRY);
  task.addRetry(RATE_LIMIT_RETRY);
  task.addRetry(GITHUB_OUTAGE_RETRY);
  return task;
}

/**
 * `ecs:runTask.sync` rendered by hand: the CDK's EcsRunTask cannot pass `environmentFiles` overrides, and the JIT
 * config must travel as an S3 environment file (a reference), never as a value in the history.
 */
function runTaskState(scope: Construct, name: string, strategyPath: string, props: LifecycleDefinitionProps): sfn.CustomState {
  const state = new sfn.CustomState(scope, name, {
    stateJson: {
      Type: 'Task',
      Comment: 'Runs the runner task until its job is over (or it is interrupted), on the class capacity.',
      Resource: 'arn:aws:states:::ecs:runTask.sync',
      Parameters: {
        Cluster: props.clusterArn,
        'TaskDefinition.$': '$.runner.taskDefinitionArn',
        'CapacityProviderStrategy.$': strategyPath,
        NetworkConfiguration: {
          AwsvpcConfiguration: {
            Subnets: props.subnetIds,
            SecurityGroups: props.securityGroupIds,
            AssignPublicIp: props.assignPublicIp ? 'ENABLED' : 'DISABLED',
          },
        },
        Overrides: {
          ContainerOverrides: [{ Name: RUNNER_CONTAINER_NAME, EnvironmentFiles: [{ Type: 's3', 'Value.$': '$.runner.jitConfigArn' }] }],
        },
        // Clean up finds a task that outlived its state by this (ListTasks startedBy).
        'StartedBy.$': '$.runner.name',
        'Tags.$': '$.runner.tags',
        PropagateTags: 'TASK_DEFINITION',
        EnableECSManagedTags: true,
      },
      ResultPath: '$.task',
      TimeoutSeconds: props.runnerTimeout.toSeconds(),
    },
  });
  state.addRetry({
    errors: [SERVICE_ERROR.ecsException, SERVICE_ERROR.ecsServerException, SERVICE_ERROR.ecsInvalidParameter],
    interval: Duration.seconds(3),
    backoffRate: 2,
    maxDelay: Duration.minutes(1),
    maxAttempts: 5,
    jitterStrategy: sfn.JitterType.FULL,
  });
  return state;
}
