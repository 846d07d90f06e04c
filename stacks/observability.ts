import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRIC_NAMESPACE } from '../lambdas/shared/metrics';
import type { JobEvents } from './job-events';

export interface ObservabilityProps {
  readonly stateMachine: sfn.StateMachine;
  readonly events: JobEvents;
  readonly runnerClasses: string[];
  /** Alarm when a class's p95 time from queued to started is above this. */
  readonly queueToStartThreshold: Duration;
  /** Alarm when more than this share of an installation's hourly GitHub rate limit is used. */
  readonly rateLimitUsedPercent: number;
  /** Alarms notify this topic too. @default - alarms only */
  readonly alarmTopicArn?: string;
  /** The log groups of the functions that tell a runner's story (GitHub steps, job-started handler). */
  readonly lifecycleLogGroups: logs.ILogGroup[];
  /** Prefix of the saved Logs Insights queries' names. */
  readonly queryPrefix: string;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The fleet at a glance: a CloudWatch dashboard of the lifecycle's metrics (EMF, namespace GitHubRunners, by
 * runner class) and the alarms an operator wants: failed executions, dead-lettered events, leftovers found by the
 * sweeper, GitHub rate-limit headroom, and jobs waiting too long for a runner.
 */
export class Observability extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const fleetMetric = (metricName: string, statistic: string, dimensionsMap: Record<string, string> = {}) =>
      new cloudwatch.Metric({ namespace: METRIC_NAMESPACE, metricName, statistic, period: FIVE_MINUTES, dimensionsMap });
    const perClass = (metricName: string, statistic: string) =>
      props.runnerClasses.map((cls) => fleetMetric(metricName, statistic, { RunnerClass: cls }).with({ label: `${cls} ${statistic}` }));
    const leftovers = new cloudwatch.MathExpression({
      expression: 'FILL(r, 0) + FILL(j, 0) + FILL(s, 0) + FILL(t, 0)',
      usingMetrics: {
        r: fleetMetric('LeftoverRegistrations', 'Sum'),
        j: fleetMetric('LeftoverJitFiles', 'Sum'),
        s: fleetMetric('LeftoverSlots', 'Sum'),
        t: fleetMetric('LeftoverTasks', 'Sum'),
      },
      label: 'Leftovers found by the sweeper',
      period: FIVE_MINUTES,
    });

    this.alarms = [
      new cloudwatch.Alarm(this, 'ExecutionsFailed', {
        alarmDescription: 'A runner lifecycle execution failed: open it in the Step Functions console (its last states say why), or run `npx fleet status`.',
        metric: props.stateMachine.metricFailed({ period: FIVE_MINUTES, statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      props.events.deadLetterAlarm,
      new cloudwatch.Alarm(this, 'LeftoversFound', {
        alarmDescription: 'The sweeper found leftovers (registrations, JIT files, slots or tasks) that a lifecycle should have removed: look for stopped or failed executions.',
        metric: leftovers,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'RateLimitHeadroomLow', {
        alarmDescription: `More than ${props.rateLimitUsedPercent}% of a GitHub installation's hourly rate limit is used: launches will slow down. Lower gitHubConcurrency, or spread jobs over more installations.`,
        metric: fleetMetric('GitHubRateLimitUsed', 'Maximum'),
        threshold: props.rateLimitUsedPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      ...props.runnerClasses.map(
        (cls) =>
          new cloudwatch.Alarm(this, `QueueToStart-${cls}`, {
            alarmDescription: `Jobs of runner class "${cls}" wait more than ${props.queueToStartThreshold.toSeconds()} s (p95) from queued to started: look for capacity errors, the class's maxRunners, or GitHub rate limits on the dashboard.`,
            metric: fleetMetric('QueueToStart', 'p95', { RunnerClass: cls }),
            threshold: props.queueToStartThreshold.toMilliseconds(),
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 2,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
      ),
    ];
    if (props.alarmTopicArn) {
      const topic = sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn);
      for (const alarm of this.alarms) alarm.addAlarmAction(new actions.SnsAction(topic));
    }

    // Saved Logs Insights queries (CloudWatch → Logs Insights → Saved queries): replace JOB_ID before running.
    new logs.QueryDefinition(this, 'WhatHappenedToJob', {
      queryDefinitionName: `${props.queryPrefix}/What happened to job JOB_ID`,
      logGroups: props.lifecycleLogGroups,
      queryString: new logs.QueryString({
        fields: ['@timestamp', 'message', 'step', 'execution', 'runner', 'runnerClass', 'capacity', 'outcome', 'next', 'detail', 'launchedForJobId'],
        filterStatements: ['jobId = JOB_ID or launchedForJobId = JOB_ID or runner like /-JOB_ID-[0-9]+$/'],
        sort: '@timestamp asc',
        limit: 200,
      }),
    });
    new logs.QueryDefinition(this, 'RunnersFailedToday', {
      queryDefinitionName: `${props.queryPrefix}/Runners that failed (pick "Today" as the time range)`,
      logGroups: props.lifecycleLogGroups,
      queryString: new logs.QueryString({
        fields: ['@timestamp', 'execution', 'runner', 'attempt', 'outcome', 'next', 'detail'],
        filterStatements: ['message = "Attempt cleaned up"', "outcome in ['runner-failed', 'launch-failed', 'spot-interrupted', 'capacity-unavailable'] or next = 'fail'"],
        sort: '@timestamp desc',
        limit: 500,
      }),
    });

    const graph = (title: string, left: cloudwatch.IMetric[], width = 8) => new cloudwatch.GraphWidget({ title, left, width, height: 6 });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(6) });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 3 }),
    );
    this.dashboard.addWidgets(
      graph('Queue to start (p50, p95)', [...perClass('QueueToStart', 'p50'), ...perClass('QueueToStart', 'p95')]),
      graph('Runner start-up (p50, p95)', [...perClass('RunnerStartupTime', 'p50'), ...perClass('RunnerStartupTime', 'p95')]),
      graph('Jobs served', perClass('JobsServed', 'Sum')),
    );
    this.dashboard.addWidgets(
      graph('Spot interruptions and relaunches', [...perClass('SpotInterruptions', 'Sum'), ...perClass('Relaunches', 'Sum'), fleetMetric('StolenRunnerRelaunches', 'Sum').with({ label: 'stolen-runner relaunches' })]),
      graph('Failures by cause', [new cloudwatch.MathExpression({ expression: `SEARCH('{${METRIC_NAMESPACE},RunnerClass,Cause} MetricName="Failures"', 'Sum', 300)`, label: '', period: FIVE_MINUTES })]),
      graph('Executions', [
        props.stateMachine.metricStarted({ period: FIVE_MINUTES, label: 'started' }),
        props.stateMachine.metricSucceeded({ period: FIVE_MINUTES, label: 'succeeded' }),
        props.stateMachine.metricFailed({ period: FIVE_MINUTES, label: 'failed' }),
      ]),
    );
    this.dashboard.addWidgets(
      graph('GitHub rate limit used (%)', [fleetMetric('GitHubRateLimitUsed', 'Maximum').with({ label: 'max used' })]),
      graph('Leftovers found by the sweeper', [leftovers]),
      graph('Webhooks: failed deliveries, redeliveries, dead letters', [
        fleetMetric('WebhookDeliveriesFailed', 'Maximum').with({ label: 'failed deliveries' }),
        fleetMetric('WebhookRedeliveries', 'Sum').with({ label: 'redelivered' }),
        props.events.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, label: 'dead letters' }),
      ]),
    );
  }
}
