import { Match } from 'aws-cdk-lib/assertions';
import { synthFleet } from './synth';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

describe('observability', () => {
  const { template } = synthFleet();
  const resources = template.toJSON().Resources as Resources;
  const alarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');

  it('alarms on failed executions, dead letters, leftovers, GitHub rate-limit headroom and queue-to-start per class', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/States', MetricName: 'ExecutionsFailed', Threshold: 1 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'FILL(r, 0) + FILL(j, 0) + FILL(s, 0) + FILL(t, 0)' })]),
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'GitHubRunners', MetricName: 'GitHubRateLimitUsed', Threshold: 80 });
    for (const cls of ['small', 'large-arm', 'docker']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'GitHubRunners',
        MetricName: 'QueueToStart',
        ExtendedStatistic: 'p95',
        Dimensions: [{ Name: 'RunnerClass', Value: cls }],
        Threshold: 300_000,
      });
    }
    expect(alarms).toHaveLength(4 + 3);
    // Every alarm says what to do about it
    for (const alarm of alarms) expect(JSON.stringify(alarm.Properties?.AlarmDescription ?? '').length).toBeGreaterThan(40);
  });

  it('notifies the configured SNS topic from every alarm, and nothing without one', () => {
    expect(alarms.every((alarm) => alarm.Properties?.AlarmActions === undefined)).toBe(true);

    const topicArn = 'arn:aws:sns:eu-west-1:111122223333:runner-fleet-alarms';
    const withTopic = synthFleet({ alarmTopicArn: topicArn, queueToStartAlarmSeconds: 120 }).template;
    const notifying = Object.values(withTopic.toJSON().Resources as Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(notifying).toHaveLength(7);
    for (const alarm of notifying) expect(alarm.Properties?.AlarmActions).toEqual([topicArn]);
    withTopic.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'QueueToStart', Threshold: 120_000 });
  });

  it('has a dashboard of the fleet metrics, linked from the stack outputs', () => {
    const dashboards = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties?.DashboardBody);
    for (const metric of ['QueueToStart', 'RunnerStartupTime', 'JobsServed', 'SpotInterruptions', 'Relaunches', 'Failures', 'GitHubRateLimitUsed', 'LeftoverRegistrations', 'WebhookRedeliveries']) {
      expect(body).toContain(metric);
    }
    template.hasOutput('DashboardUrl', Match.anyValue());
  });
});

describe('saved Logs Insights queries', () => {
  it('answers "what happened to job N" and "runners that failed today" over the lifecycle functions\' logs', () => {
    const { template } = synthFleet();
    const queries = Object.values(template.toJSON().Resources as Record<string, { Type: string; Properties: { Name: string; QueryString: string; LogGroupNames: unknown[] } }>).filter(
      (r) => r.Type === 'AWS::Logs::QueryDefinition',
    );
    expect(queries.map((q) => q.Properties.Name).sort()).toEqual(['GitHubRunners-Fleet/Runners that failed (pick "Today" as the time range)', 'GitHubRunners-Fleet/What happened to job JOB_ID']);
    const job = queries.find((q) => q.Properties.Name.includes('JOB_ID'));
    expect(job?.Properties.QueryString).toContain('jobId = JOB_ID');
    expect(job?.Properties.LogGroupNames).toHaveLength(2);
  });
});
