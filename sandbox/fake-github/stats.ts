// Request counters for assertions and benchmarks.
import type { LimitKind } from './rate-limits';
import type { FakeGitHubStats } from './types';

export class RequestStats {
  private requests = 0;
  private readonly calls: Record<string, number> = {};
  private readonly statuses: Record<string, number> = {};
  private readonly rateLimited = { primary: 0, secondary: 0 };
  private faults = 0;

  record(route: string, status: number): void {
    this.requests += 1;
    this.calls[route] = (this.calls[route] ?? 0) + 1;
    this.statuses[String(status)] = (this.statuses[String(status)] ?? 0) + 1;
  }

  limited(kind: LimitKind): void {
    this.rateLimited[kind] += 1;
  }

  faulted(): void {
    this.faults += 1;
  }

  snapshot(): Pick<FakeGitHubStats, 'requests' | 'calls' | 'statuses' | 'clientErrors' | 'serverErrors' | 'rateLimited' | 'faultsInjected'> {
    const count = (from: number, to: number): number =>
      Object.entries(this.statuses)
        .filter(([status]) => Number(status) >= from && Number(status) < to)
        .reduce((total, [, n]) => total + n, 0);
    return {
      requests: this.requests,
      calls: { ...this.calls },
      statuses: { ...this.statuses },
      clientErrors: count(400, 500),
      serverErrors: count(500, 600),
      rateLimited: { ...this.rateLimited },
      faultsInjected: this.faults,
    };
  }
}
