// Which runner class serves a job: the first class, in configuration order, that offers every requested label.
import type { RunnerClassRuntime } from '../../statemachine/contracts';

/** Labels a self-hosted Linux runner carries besides its own: GitHub's defaults for the runner's platform. */
export function platformLabels(runnerClass: Pick<RunnerClassRuntime, 'architecture'>): string[] {
  return ['self-hosted', 'linux', runnerClass.architecture === 'arm64' ? 'arm64' : 'x64'];
}

/** The labels a runner of this class registers with: its own, then the platform labels it does not list yet. */
export function registrationLabels(runnerClass: Pick<RunnerClassRuntime, 'labels' | 'architecture'>): string[] {
  const seen = new Set(runnerClass.labels.map((label) => label.toLowerCase()));
  return [...runnerClass.labels, ...platformLabels(runnerClass).filter((label) => !seen.has(label))];
}

export function matchRunnerClass(labels: readonly string[], classes: readonly RunnerClassRuntime[]): RunnerClassRuntime | undefined {
  const wanted = labels.map((label) => label.toLowerCase());
  return classes.find((runnerClass) => {
    const offered = new Set(registrationLabels(runnerClass).map((label) => label.toLowerCase()));
    return wanted.every((label) => offered.has(label));
  });
}
