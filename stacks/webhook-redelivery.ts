import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../statemachine/contracts';
import { giveGitHubApp, type GitHubAppAccess } from './github-app-access';
import { LAMBDA_ENTRIES, NodeFunction } from './node-function';

export interface WebhookRedeliveryProps {
  readonly gitHubApp: GitHubAppAccess;
  /** Failed deliveries first sent this long ago or less are redelivered. */
  readonly windowMinutes: number;
  readonly logRetention: logs.RetentionDays;
  /** @default Duration.minutes(5) */
  readonly every?: Duration;
}

/**
 * GitHub never redelivers a failed webhook delivery by itself. Every few minutes this asks GitHub for the App
 * webhook's recent deliveries and redelivers the failed `workflow_job` ones whose job still waits
 * (lambdas/redelivery), so an outage of the relay or of EventBridge leaves no job queued forever.
 */
export class WebhookRedelivery extends Construct {
  readonly function: lambda.IFunction;

  constructor(scope: Construct, id: string, props: WebhookRedeliveryProps) {
    super(scope, id);
    const fn = new NodeFunction(this, 'Function', {
      entry: LAMBDA_ENTRIES.redelivery,
      description: 'Runner fleet: redelivers failed workflow_job webhook deliveries of the GitHub App',
      logRetention: props.logRetention,
      timeout: Duration.minutes(2),
      environment: {
        [ENV.redeliveryWindowMinutes]: String(props.windowMinutes),
      },
      // One run at a time: two overlapping runs would redeliver the same deliveries.
      reservedConcurrentExecutions: 1,
    });
    giveGitHubApp(fn, props.gitHubApp);
    new events.Rule(this, 'Schedule', {
      description: 'Redeliver failed GitHub webhook deliveries',
      schedule: events.Schedule.rate(props.every ?? Duration.minutes(5)),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 0 })],
    });
    this.function = fn;
  }
}
