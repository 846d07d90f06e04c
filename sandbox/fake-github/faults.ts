// Seeded fault injection: each API request draws the same amount of numbers whatever happens, so one seed
// replays the same faults for the same sequence of requests.
import type { Random } from './random';
import type { FaultOptions, ServerErrorStatus } from './types';

export interface FaultDraw {
  /** Refuse this request with the secondary rate limit. */
  secondaryRateLimit: boolean;
  /** Answer this request with a 5xx; `afterEffect`: the write happened before the response was lost. */
  serverError: { status: ServerErrorStatus; afterEffect: boolean } | null;
}

const DEFAULT_STATUSES: readonly ServerErrorStatus[] = [500, 502, 503];

export class FaultInjector {
  constructor(
    private readonly options: FaultOptions,
    private readonly random: Random,
  ) {}

  draw(route: string, method: string): FaultDraw {
    const secondaryRateLimit = this.random.chance(this.options.secondaryRateLimitRate ?? 0);
    const failing = this.random.chance(this.options.serverErrorRateByRoute?.[route] ?? this.options.serverErrorRate ?? 0);
    const statuses = this.options.serverErrorStatuses?.length ? this.options.serverErrorStatuses : DEFAULT_STATUSES;
    const status = this.random.pick(statuses);
    const lost = this.random.chance(this.options.lostResponseShare ?? 0);
    return {
      secondaryRateLimit,
      serverError: failing ? { status, afterEffect: lost && method !== 'GET' } : null,
    };
  }
}
