// GitHub's error responses: `{ message, documentation_url, status }`, with the messages GitHub really sends, so
// clients that match on them (octokit's clock-skew retry, our error classification) behave as in production.

const DOCS = 'https://docs.github.com/rest';

export const DOCS_URL = {
  rest: DOCS,
  rateLimits: `${DOCS}/using-the-rest-api/rate-limits-for-the-rest-api`,
  secondaryRateLimits: `${DOCS}/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
  jitConfig: `${DOCS}/actions/self-hosted-runners#create-configuration-for-a-just-in-time-runner-for-a-repository`,
  deleteRunner: `${DOCS}/actions/self-hosted-runners#delete-a-self-hosted-runner-from-a-repository`,
  rerunJob: `${DOCS}/actions/workflow-runs#re-run-a-job-from-a-workflow-run`,
  installation: `${DOCS}/apps/apps#get-a-repository-installation-for-the-authenticated-app`,
  deliveries: `${DOCS}/apps/webhooks#list-deliveries-for-an-app-webhook`,
} as const;

export const MESSAGE = {
  jwtUndecodable: 'A JSON web token could not be decoded',
  jwtExpired:
    "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
  jwtTooFarInFuture: "'Expiration time' claim ('exp') is too far in the future",
  jwtIssuedInFuture: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
  jwtIssuer: "'Issuer' claim ('iss') must be an Integer",
  requiresAuthentication: 'Requires authentication',
  badCredentials: 'Bad credentials',
  notFound: 'Not Found',
  notAccessible: 'Resource not accessible by integration',
  problemsParsingJson: 'Problems parsing JSON',
  runnerExists: (name: string): string => `Already exists - A runner with the name ${name} already exists.`,
  // The stray quote at the end is in GitHub's own message.
  runnerBusy: (name: string): string => `Bad request - Runner "${name}" is still running a job"`,
  rerunWhileRunning: 'The workflow run containing this job is already running',
  primaryRateLimit: (installationId: number | null): string =>
    installationId === null
      ? 'API rate limit exceeded for the app.'
      : `API rate limit exceeded for installation ID ${installationId}.`,
  secondaryRateLimit: (requestId: string): string =>
    'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
    `If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
  serverError: { 500: 'Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' },
} as const;

/** An HTTP answer other than success; the server turns it into GitHub's error body. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly documentationUrl: string = DOCS,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function notFound(documentationUrl: string = DOCS): ApiError {
  return new ApiError(404, MESSAGE.notFound, documentationUrl);
}

export function errorBody(error: ApiError): { message: string; documentation_url: string; status: string } {
  return { message: error.message, documentation_url: error.documentationUrl, status: String(error.status) };
}

/** Thrown by the simulation API when a runner presents a JIT config GitHub would refuse. */
export class RunnerConnectionError extends Error {
  override readonly name = 'RunnerConnectionError';
}

/** Rejects `nextJob()` when the runner session ended (disconnected, registration deleted) before a job came. */
export class RunnerSessionEndedError extends Error {
  override readonly name = 'RunnerSessionEndedError';
}
