import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { GITHUB_EVENT, type LaunchRequest } from '../statemachine/contracts';

export interface JobEventsProps {
  /** Labels that mark a job as this fleet's: the specific labels of every runner class. */
  readonly markerLabels: string[];
  /** @default Duration.days(7) */
  readonly archiveRetention?: Duration;
}

/**
 * The event bus that webhook relays (ours, or AWS's own GitHub relay) put `workflow_job` events on, with an
 * archive for replay, and the rule that starts one lifecycle execution per queued job carrying our labels.
 */
export class JobEvents extends Construct {
  readonly bus: events.EventBus;
  readonly deadLetterQueue: sqs.Queue;
  /** In alarm when an event could not be delivered to its target after all retries (see README, "Dead letters"). */
  readonly deadLetterAlarm: cloudwatch.Alarm;
  private readonly markerLabels: string[];

  constructor(scope: Construct, id: string, props: JobEventsProps) {
    super(scope, id);
    this.markerLabels = props.markerLabels;
    this.bus = new events.EventBus(this, 'Bus');
    this.bus.archive('Archive', {
      description: 'Every GitHub event the fleet received, for replay after an outage',
      eventPattern: { source: [GITHUB_EVENT.source] },
      retention: props.archiveRetention ?? Duration.days(7),
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLettersAlarm', {
      alarmDescription:
        'A GitHub event could not start its runner lifecycle (or reach the job-started handler) after 24 hours of retries: its job may wait for a runner. Inspect the messages of the dead-letter queue, fix the cause, then redrive them or replay the archive (README, "Dead letters").',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** Starts `stateMachine` for every queued job whose labels include one of ours. */
  startLifecycleOnQueuedJobs(stateMachine: sfn.IStateMachine): events.Rule {
    return new events.Rule(this, 'QueuedJobs', {
      eventBus: this.bus,
      description: 'A workflow_job was queued with a label of this fleet: start a runner lifecycle',
      eventPattern: {
        source: [GITHUB_EVENT.source],
        detailType: [GITHUB_EVENT.workflowJobDetailType],
        detail: { action: ['queued'], workflow_job: { labels: this.markerLabels } },
      },
      targets: [
        new targets.SfnStateMachine(stateMachine, {
          input: events.RuleTargetInput.fromObject(launchRequestTemplate()),
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
  }
}

/** The input transformer: a `workflow_job` webhook becomes the lifecycle's launch request. */
function launchRequestTemplate(): Record<keyof Required<LaunchRequest>, string> {
  const at = (path: string) => events.EventField.fromPath(path);
  return {
    owner: at('$.detail.repository.owner.login'),
    repo: at('$.detail.repository.name'),
    labels: at('$.detail.workflow_job.labels'),
    jobId: at('$.detail.workflow_job.id'),
    runId: at('$.detail.workflow_job.run_id'),
    runAttempt: at('$.detail.workflow_job.run_attempt'),
    installationId: at('$.detail.installation.id'),
    jobUrl: at('$.detail.workflow_job.html_url'),
  };
}
