import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV, GITHUB_EVENT } from '../statemachine/contracts';
import type { JitConfigStore } from './jit-config-store';
import type { JobEvents } from './job-events';
import { giveGitHubApp, type GitHubAppAccess } from './github-app-access';
import { LAMBDA_ENTRIES, NodeFunction } from './node-function';

export interface JobStartedProps {
  readonly events: JobEvents;
  readonly stateMachine: sfn.IStateMachine;
  readonly jitConfigs: JitConfigStore;
  readonly gitHubApp: GitHubAppAccess;
  readonly runnerNamePrefix: string;
  readonly rerunInterruptedJobs: boolean;
  readonly maxRunAttempt: number;
  readonly logRetention: logs.RetentionDays;
}

/**
 * Reacts to GitHub giving a job to one of our runners (`workflow_job` `in_progress`): records the assignment, and
 * launches the next runner at once for a job whose runner another job took (lambdas/job-started).
 */
export class JobStarted extends Construct {
  readonly function: NodeFunction;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: JobStartedProps) {
    super(scope, id);
    const fn = new NodeFunction(this, 'Function', {
      entry: LAMBDA_ENTRIES.jobStarted,
      description: 'Runner fleet: records which job each runner took, relaunches for jobs whose runner was taken',
      logRetention: props.logRetention,
      // Room for one GitHub call that waits out a rate limit (75 s at most).
      timeout: Duration.minutes(2),
      environment: {
        [ENV.runnerNamePrefix]: props.runnerNamePrefix,
        [ENV.jitBucketArn]: props.jitConfigs.bucket.bucketArn,
        [ENV.stateMachineArn]: props.stateMachine.stateMachineArn,
        [ENV.rerunInterruptedJobs]: String(props.rerunInterruptedJobs),
        [ENV.maxRunAttempt]: String(props.maxRunAttempt),
      },
    });
    giveGitHubApp(fn, props.gitHubApp);
    // A failed invocation (GitHub still refusing a re-run after Lambda's own retries) lands where dead events do.
    fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new destinations.SqsDestination(props.events.deadLetterQueue) });
    props.jitConfigs.grantRecordAssignments(fn);
    props.stateMachine.grantStartExecution(fn);
    this.function = fn;

    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.events.bus,
      description: 'GitHub gave a job to one of our runners: record it, and relaunch for a job whose runner was taken',
      eventPattern: {
        source: [GITHUB_EVENT.source],
        detailType: [GITHUB_EVENT.workflowJobDetailType],
        detail: { action: ['in_progress'], workflow_job: { runner_name: [{ prefix: `${props.runnerNamePrefix}-` }] } },
      },
      targets: [
        new targets.LambdaFunction(fn, {
          deadLetterQueue: props.events.deadLetterQueue,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
  }
}
