import { rateLimitWaitSeconds, toGitHubError } from '../../../lambdas/github/map-error';
import { GitHubRateLimitedError, GitHubUnavailableError } from '../../../lambdas/shared/errors';

const NOW_MS = Date.parse('2026-12-04T16:00:00Z');
const ROUTE = 'GET /repos/{owner}/{repo}/actions/jobs/{job_id}';

function httpError(status: number, message: string, headers?: Record<string, string>) {
  return Object.assign(new Error(message), { status, ...(headers ? { response: { headers } } : {}) });
}

describe('rateLimitWaitSeconds', () => {
  it('waits retry-after seconds when GitHub sends them', () => {
    expect(rateLimitWaitSeconds(403, { 'retry-after': '17' }, 'secondary rate limit', NOW_MS)).toBe(17);
  });

  it('reads retry-after given as an HTTP date', () => {
    expect(rateLimitWaitSeconds(429, { 'retry-after': new Date(NOW_MS + 45_000).toUTCString() }, '', NOW_MS)).toBe(45);
  });

  it('waits until x-ratelimit-reset when the primary limit is used up, at least one second', () => {
    expect(rateLimitWaitSeconds(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW_MS / 1000 + 120) }, '', NOW_MS)).toBe(120);
    expect(rateLimitWaitSeconds(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW_MS / 1000 - 5) }, '', NOW_MS)).toBe(1);
  });

  it('waits a minute for a secondary limit without headers, as GitHub advises', () => {
    expect(rateLimitWaitSeconds(403, { 'x-ratelimit-remaining': '4000' }, 'You have exceeded a secondary rate limit.', NOW_MS)).toBe(60);
  });

  it('sees no rate limit in a 403 for missing permissions', () => {
    expect(rateLimitWaitSeconds(403, { 'x-ratelimit-remaining': '4999' }, 'Resource not accessible by integration', NOW_MS)).toBeUndefined();
  });
});

describe('toGitHubError', () => {
  it('keeps the original error as the cause', () => {
    const original = httpError(429, 'too many', { 'retry-after': '5' });

    const mapped = toGitHubError(original, ROUTE, NOW_MS);

    expect(mapped).toBeInstanceOf(GitHubRateLimitedError);
    expect(mapped.cause).toBe(original);
  });

  it('maps an error without an HTTP status to GitHubUnavailable', () => {
    expect(toGitHubError(new TypeError('fetch failed'), ROUTE, NOW_MS)).toBeInstanceOf(GitHubUnavailableError);
  });

  it.each([404, 409, 422])('leaves %i for the caller to translate', (status) => {
    const original = httpError(status, 'client error', {});

    expect(toGitHubError(original, ROUTE, NOW_MS)).toBe(original);
  });
});
