// What one launch attempt adds to the fleet's CloudWatch metrics (namespace GitHubRunners, dimension RunnerClass):
// attempts, jobs served, Spot interruptions, relaunches, runner start-up time, and failures by cause (a second
// dimension). Written by Clean up, the one place every attempt passes through.
import type { NextStep, Outcome } from '../../statemachine/contracts';
import type { Metrics, MetricValue } from '../shared/metrics';
import type { EcsTask } from './classify-attempt';

export interface AttemptFacts {
  /** null when Mint token failed before choosing a class. */
  runnerClass: string | null;
  outcome: Outcome;
  next: NextStep;
  /** The named error the attempt ends the lifecycle with, if it fails it. */
  failure: string | undefined;
  task: EcsTask | undefined;
}

const count = (value: number): MetricValue => ({ value, unit: 'Count' });

export function emitAttemptMetrics(metrics: Metrics, facts: AttemptFacts): void {
  const dimensions = { RunnerClass: facts.runnerClass ?? 'none' };
  const values: Record<string, MetricValue> = {
    LaunchAttempts: count(1),
    JobsServed: count(facts.outcome === 'served-job' ? 1 : 0),
    SpotInterruptions: count(facts.outcome === 'spot-interrupted' ? 1 : 0),
    Relaunches: count(facts.next === 'relaunch' ? 1 : 0),
  };
  const startup = startupMs(facts.task);
  if (startup !== undefined) values['RunnerStartupTime'] = { value: startup, unit: 'Milliseconds' };
  metrics.emit(dimensions, values, { outcome: facts.outcome, next: facts.next });
  const cause = facts.failure ?? (facts.outcome === 'runner-failed' || facts.outcome === 'launch-failed' ? facts.outcome : undefined);
  if (cause !== undefined) metrics.emit({ ...dimensions, Cause: cause }, { Failures: count(1) });
}

/** From RunTask to the containers running: provisioning, image pull and start (ECS createdAt → startedAt). */
function startupMs(task: EcsTask | undefined): number | undefined {
  const created = toMs(task?.CreatedAt);
  const started = toMs(task?.StartedAt);
  return created !== undefined && started !== undefined && started >= created ? started - created : undefined;
}

function toMs(value: number | string | null | undefined): number | undefined {
  if (typeof value === 'number') return value < 1e11 ? value * 1000 : value; // seconds or milliseconds
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}
