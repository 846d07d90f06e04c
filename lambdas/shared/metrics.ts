// CloudWatch metrics as embedded metric format (EMF) log lines: Lambda's log stream carries them to CloudWatch,
// which extracts the metrics; no PutMetricData call, no extra latency, no extra permission.
// Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
import type { LogSink } from './logger';

/** The namespace of every metric the fleet publishes (dashboards and alarms in the stack use it). */
export const METRIC_NAMESPACE = 'GitHubRunners';

export type MetricUnit = 'Count' | 'Milliseconds' | 'Seconds' | 'None' | 'Percent';

export interface MetricValue {
  value: number;
  unit: MetricUnit;
}

export interface Metrics {
  /**
   * Writes one EMF line with these metrics under these dimensions (e.g. `{ RunnerClass: 'small' }`; `{}` for
   * fleet-wide figures). Extra `properties` are searchable in Logs Insights but are not metrics.
   */
  emit(dimensions: Record<string, string>, values: Record<string, MetricValue>, properties?: Record<string, unknown>): void;
}

export function createMetrics(sink: LogSink = (line) => process.stdout.write(`${line}\n`), now: () => number = Date.now): Metrics {
  return {
    emit(dimensions, values, properties = {}) {
      const names = Object.keys(values);
      if (names.length === 0) return;
      const line: Record<string, unknown> = {
        ...properties,
        ...dimensions,
        _aws: {
          Timestamp: now(),
          CloudWatchMetrics: [
            {
              Namespace: METRIC_NAMESPACE,
              Dimensions: [Object.keys(dimensions)],
              Metrics: names.map((name) => ({ Name: name, Unit: values[name]?.unit ?? 'None' })),
            },
          ],
        },
      };
      for (const name of names) line[name] = values[name]?.value ?? 0;
      sink(JSON.stringify(line));
    },
  };
}

/** Metrics that go nowhere (tests that do not look at them). */
export const silentMetrics: Metrics = createMetrics(() => undefined);
