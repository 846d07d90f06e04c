// GitHub's two REST limits. Primary: requests per hour per identity, a fixed window that starts with the first
// request. Secondary: points per rolling minute (reads 1, writes 5), answered with `retry-after`.
import type { RateLimitOptions } from './types';

const HOUR_MS = 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;
/** Unauthenticated requests are limited to 60 an hour; we only report it on 401s. */
const ANONYMOUS_LIMIT = 60;

export type LimitKind = 'primary' | 'secondary';

export type LimitVerdict =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; kind: LimitKind; status: 403 | 429; headers: Record<string, string> };

interface PrimaryWindow {
  startMs: number;
  used: number;
}

export class RateLimiter {
  private readonly primaryLimit: number;
  private readonly secondaryLimit: number;
  private readonly hourMs: number;
  private readonly minuteMs: number;
  private readonly primary = new Map<string, PrimaryWindow>();
  private readonly secondary = new Map<string, { atMs: number; points: number }[]>();
  private readonly forced: { kind: LimitKind; untilMs: number; identity: string | null }[] = [];
  /** Secondary-limit points of every admitted request since the start. */
  admittedPoints = 0;
  readonly admissions: { atMs: number; points: number }[] = [];

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number,
  ) {
    this.primaryLimit = options.primaryPerHour ?? 5000;
    this.secondaryLimit = options.secondaryPointsPerMinute ?? 900;
    // A benchmark shrinks the windows instead of running for minutes: the same limits, on a faster clock.
    this.hourMs = HOUR_MS / (options.windowScale ?? 1);
    this.minuteMs = MINUTE_MS / (options.windowScale ?? 1);
  }

  static points(method: string): number {
    return ['GET', 'HEAD', 'OPTIONS'].includes(method) ? 1 : 5;
  }

  /** Counts one request of `identity` and says whether GitHub would serve it. */
  admit(identity: string, method: string, forceSecondary = false): LimitVerdict {
    const nowMs = this.now();
    const window = this.primaryWindow(identity, nowMs);
    const forced = this.activeForced(identity, nowMs);

    if (window.used >= this.primaryLimit || forced?.kind === 'primary') {
      const resetMs = forced?.kind === 'primary' ? Math.max(forced.untilMs, window.startMs + this.hourMs) : window.startMs + this.hourMs;
      return {
        ok: false,
        kind: 'primary',
        status: this.options.primaryStatus ?? 403,
        headers: headers(this.primaryLimit, 0, window.used, resetMs),
      };
    }
    window.used += 1;
    const primaryHeaders = headers(this.primaryLimit, this.primaryLimit - window.used, window.used, window.startMs + this.hourMs);

    const cost = RateLimiter.points(method);
    const spent = this.secondaryEntries(identity, nowMs);
    const retryAfterSeconds =
      forced?.kind === 'secondary'
        ? Math.max(1, Math.ceil((forced.untilMs - nowMs) / 1000))
        : forceSecondary
          ? Math.ceil(this.minuteMs / 1000)
          : this.secondaryRetryAfter(spent, cost, nowMs);
    if (retryAfterSeconds !== null) {
      return {
        ok: false,
        kind: 'secondary',
        status: this.options.secondaryStatus ?? 403,
        headers: { ...primaryHeaders, 'retry-after': String(retryAfterSeconds) },
      };
    }
    spent.push({ atMs: nowMs, points: cost });
    this.admittedPoints += cost;
    this.admissions.push({ atMs: nowMs, points: cost });
    return { ok: true, headers: primaryHeaders };
  }

  /** Headers for a request that counts against nothing (401s): the unauthenticated allowance, untouched. */
  anonymousHeaders(): Record<string, string> {
    return headers(ANONYMOUS_LIMIT, ANONYMOUS_LIMIT, 0, this.now() + HOUR_MS);
  }

  /** Refuses every request of `identity` (or of everyone) with that limit for `durationMs`. */
  force(kind: LimitKind, durationMs: number, identity: string | null): void {
    this.forced.push({ kind, untilMs: this.now() + durationMs, identity });
  }

  primaryUsed(): Record<string, number> {
    const nowMs = this.now();
    return Object.fromEntries([...this.primary.keys()].map((identity) => [identity, this.primaryWindow(identity, nowMs).used]));
  }

  secondaryPoints(): Record<string, number> {
    const nowMs = this.now();
    return Object.fromEntries(
      [...this.secondary.keys()].map((identity) => [identity, sum(this.secondaryEntries(identity, nowMs))]),
    );
  }

  private primaryWindow(identity: string, nowMs: number): PrimaryWindow {
    const window = this.primary.get(identity);
    if (window && nowMs < window.startMs + this.hourMs) return window;
    const fresh = { startMs: nowMs, used: 0 };
    this.primary.set(identity, fresh);
    return fresh;
  }

  private secondaryEntries(identity: string, nowMs: number): { atMs: number; points: number }[] {
    const entries = (this.secondary.get(identity) ?? []).filter((entry) => entry.atMs > nowMs - this.minuteMs);
    this.secondary.set(identity, entries);
    return entries;
  }

  /** Null when the request fits; otherwise the seconds until enough points have left the window. */
  private secondaryRetryAfter(entries: { atMs: number; points: number }[], cost: number, nowMs: number): number | null {
    let total = sum(entries);
    if (total + cost <= this.secondaryLimit) return null;
    for (const entry of entries) {
      total -= entry.points;
      if (total + cost <= this.secondaryLimit) return Math.max(1, Math.ceil((entry.atMs + this.minuteMs - nowMs) / 1000));
    }
    return Math.ceil(this.minuteMs / 1000);
  }

  private activeForced(identity: string, nowMs: number): { kind: LimitKind; untilMs: number } | undefined {
    return this.forced.find((burst) => burst.untilMs > nowMs && (burst.identity === null || burst.identity === identity));
  }
}

function headers(limit: number, remaining: number, used: number, resetMs: number): Record<string, string> {
  return {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(Math.max(0, remaining)),
    'x-ratelimit-used': String(used),
    'x-ratelimit-reset': String(Math.ceil(resetMs / 1000)),
    'x-ratelimit-resource': 'core',
  };
}

function sum(entries: { points: number }[]): number {
  return entries.reduce((total, entry) => total + entry.points, 0);
}
