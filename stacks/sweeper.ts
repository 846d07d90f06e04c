import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV, type GitHubScope } from '../statemachine/contracts';
import type { JitConfigStore } from './jit-config-store';
import { giveGitHubApp, type GitHubAppAccess } from './github-app-access';
import { LAMBDA_ENTRIES, NodeFunction } from './node-function';
import { grantRunnerTaskControl } from './runner-task-grants';

export interface SweeperProps {
  readonly gitHubApp: GitHubAppAccess;
  readonly scope: GitHubScope;
  readonly runnerNamePrefix: string;
  readonly cluster: ecs.Cluster;
  readonly jitConfigs: JitConfigStore;
  /** A runner task older than this is stopped: the lifecycle's own bound on a runner, plus a margin. */
  readonly maxTaskAge: Duration;
  readonly every: Duration;
  readonly logRetention: logs.RetentionDays;
}

/**
 * Every few minutes, removes what a crashed or stopped execution left behind (lambdas/sweeper): runner tasks past
 * the longest allowed job, offline registrations of ours, old JIT files and stale runner slots. Never a busy
 * runner, one with a live task, or one that is not ours.
 */
export class Sweeper extends Construct {
  readonly function: lambda.IFunction;

  constructor(scope: Construct, id: string, props: SweeperProps) {
    super(scope, id);
    const fn = new NodeFunction(this, 'Function', {
      entry: LAMBDA_ENTRIES.sweeper,
      description: 'Runner fleet: removes leftover registrations, JIT files, runner slots and runner tasks',
      logRetention: props.logRetention,
      timeout: Duration.minutes(5),
      environment: {
        [ENV.gitHubScope]: JSON.stringify(props.scope),
        [ENV.runnerNamePrefix]: props.runnerNamePrefix,
        [ENV.jitBucketArn]: props.jitConfigs.bucket.bucketArn,
        [ENV.clusterArn]: props.cluster.clusterArn,
        [ENV.maxTaskAgeSeconds]: String(props.maxTaskAge.toSeconds()),
      },
      // One run at a time: two overlapping runs would race for the same leftovers.
      reservedConcurrentExecutions: 1,
    });
    giveGitHubApp(fn, props.gitHubApp);
    props.jitConfigs.grantSweep(fn);
    grantRunnerTaskControl(this, fn, props.cluster, ['ecs:DescribeTasks', 'ecs:StopTask']);
    new events.Rule(this, 'Schedule', {
      description: 'Sweep the runner fleet for leftovers',
      schedule: events.Schedule.rate(props.every),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 0 })],
    });
    this.function = fn;
  }
}
