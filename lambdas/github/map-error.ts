// The one place where a failed GitHub request becomes an error the state machine can route on.
// Source: GitHub REST docs, "Rate limits for the REST API", "Exceeding the rate limit".
import { GitHubRateLimitedError, GitHubUnavailableError } from '../shared/errors';

/** GitHub's advice when a secondary limit answer carries no header: wait at least one minute. */
export const DEFAULT_RATE_LIMIT_WAIT_SECONDS = 60;

export function toGitHubError(error: unknown, route: string, nowMs: number): Error {
  const status = statusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (status === 403 || status === 429) {
    const retryAfterSeconds = rateLimitWaitSeconds(status, headersOf(error), message, nowMs);
    if (retryAfterSeconds !== undefined) return new GitHubRateLimitedError(route, retryAfterSeconds, { cause: error });
  }
  // @octokit/request reports network failures and aborted (timed out) requests as status 500 without a response.
  if (status === undefined || status >= 500) {
    const detail = status !== undefined && headersOf(error) !== undefined ? `HTTP ${status} ${firstLine(message)}` : `request failed: ${firstLine(message)}`;
    return new GitHubUnavailableError(route, detail, { cause: error });
  }
  return error instanceof Error ? error : new Error(message);
}

/** Seconds to wait when the answer is a rate limit; undefined when a 403 is a plain permission error. */
export function rateLimitWaitSeconds(status: number, headers: Record<string, string | number | undefined> | undefined, message: string, nowMs: number): number | undefined {
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(1, Math.ceil(seconds));
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(1, Math.ceil((date - nowMs) / 1000));
  }
  if (header(headers, 'x-ratelimit-remaining') === '0') {
    const reset = Number(header(headers, 'x-ratelimit-reset'));
    return Number.isFinite(reset) && reset > 0 ? Math.max(1, Math.ceil(reset - nowMs / 1000)) : DEFAULT_RATE_LIMIT_WAIT_SECONDS;
  }
  if (status === 429 || /rate limit/i.test(message)) return DEFAULT_RATE_LIMIT_WAIT_SECONDS;
  return undefined;
}

export function statusOf(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object' || !('status' in error)) return undefined;
  return typeof error.status === 'number' ? error.status : undefined;
}

function headersOf(error: unknown): Record<string, string | number | undefined> | undefined {
  if (error === null || typeof error !== 'object' || !('response' in error)) return undefined;
  const response = error.response;
  if (response === null || typeof response !== 'object' || !('headers' in response)) return undefined;
  const headers = response.headers;
  return headers !== null && typeof headers === 'object' ? (headers as Record<string, string | number | undefined>) : undefined;
}

function header(headers: Record<string, string | number | undefined> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return entry?.[1] === undefined ? undefined : String(entry[1]);
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 200);
}
