// The HTTP edge: routing, authentication (App JWT or installation token), rate limits, injected faults, and
// GitHub's response headers on every answer. Handlers in routes.ts only run for admitted requests.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, DOCS_URL, MESSAGE, errorBody } from './errors';
import type { EventLog } from './events';
import type { FaultInjector } from './faults';
import { parseJson } from './json';
import type { JwtVerifier } from './jwt';
import type { RateLimiter } from './rate-limits';
import type { ApiResult, Route, RouteContext } from './routes';
import type { RequestStats } from './stats';
import type { InstallationTokens } from './tokens';

/** GitHub Enterprise Server serves the API under this prefix: a client may use either form of base URL. */
const GHES_PREFIX = '/api/v3';
const MAX_BODY_BYTES = 1024 * 1024;

export interface ServerDependencies {
  routes: Route[];
  jwt: JwtVerifier;
  tokens: InstallationTokens;
  limiter: RateLimiter;
  faults: FaultInjector;
  stats: RequestStats;
  events: EventLog;
  now: () => number;
}

interface Caller {
  identity: string;
  installationId: number | null;
}

export class ApiServer {
  private server: Server | null = null;
  private baseUrl: string | null = null;

  constructor(private readonly deps: ServerDependencies) {}

  get url(): string | null {
    return this.baseUrl;
  }

  async start(): Promise<string> {
    if (this.baseUrl) return this.baseUrl;
    const server = createServer((request, response) => void this.serve(request, response));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    this.baseUrl = null;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      await this.serveRequest(request, response);
    } catch (error) {
      console.error('[fake-github] request failed', error);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify({ message: MESSAGE.serverError[500] }));
    }
  }

  private async serveRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = stripPrefix(url.pathname);
    const match = matchRoute(this.deps.routes, method, path);
    const routeName = match ? `${match.route.method} ${match.route.pattern}` : `${method} (unknown)`;
    let rawBody: string;
    try {
      rawBody = await readBody(request);
    } catch {
      this.send(response, routeName, requestId, { status: 413, body: { message: 'Payload too large' } }, this.deps.limiter.anonymousHeaders());
      return;
    }
    const outcome = this.handle(match, method, request.headers.authorization, url.searchParams, rawBody, requestId);
    this.send(response, routeName, requestId, outcome.result, outcome.limitHeaders);
  }

  private handle(
    match: RouteMatch | null,
    method: string,
    authorization: string | undefined,
    query: URLSearchParams,
    rawBody: string,
    requestId: string,
  ): { result: ApiResult; limitHeaders: Record<string, string> } {
    const { limiter, faults, stats, events } = this.deps;
    if (!match) return { result: errorResult(new ApiError(404, MESSAGE.notFound)), limitHeaders: limiter.anonymousHeaders() };

    const caller = this.authenticate(match.route, authorization);
    if (caller instanceof ApiError) return { result: errorResult(caller), limitHeaders: limiter.anonymousHeaders() };

    const routeName = `${match.route.method} ${match.route.pattern}`;
    const draw = faults.draw(routeName, method);
    const verdict = limiter.admit(caller.identity, method, draw.secondaryRateLimit);
    if (!verdict.ok) {
      stats.limited(verdict.kind);
      events.record('rate-limited', { detail: `${verdict.kind} ${caller.identity} ${routeName}` });
      const message = verdict.kind === 'primary' ? MESSAGE.primaryRateLimit(caller.installationId) : MESSAGE.secondaryRateLimit(requestId);
      const docs = verdict.kind === 'primary' ? DOCS_URL.rateLimits : DOCS_URL.secondaryRateLimits;
      return { result: errorResult(new ApiError(verdict.status, message, docs)), limitHeaders: verdict.headers };
    }

    const injected = draw.serverError;
    if (injected && !injected.afterEffect) {
      return { result: this.injectedError(injected.status, routeName), limitHeaders: verdict.headers };
    }
    const body = rawBody.length === 0 ? undefined : parseJson(rawBody);
    if (rawBody.length > 0 && body === undefined) {
      return { result: errorResult(new ApiError(400, MESSAGE.problemsParsingJson)), limitHeaders: verdict.headers };
    }
    const context: RouteContext = { params: match.params, query, body, installationId: caller.installationId, apiUrl: this.baseUrl ?? '' };
    const result = runHandler(match.route, context);
    if (injected) return { result: this.injectedError(injected.status, `${routeName} (after it took effect)`), limitHeaders: verdict.headers };
    return { result, limitHeaders: verdict.headers };
  }

  private authenticate(route: Route, authorization: string | undefined): Caller | ApiError {
    const [scheme, credential] = (authorization ?? '').trim().split(/\s+/, 2);
    if (!scheme || !credential) return new ApiError(401, route.auth === 'app' ? MESSAGE.jwtUndecodable : MESSAGE.requiresAuthentication);
    if (route.auth === 'app') {
      if (scheme.toLowerCase() !== 'bearer') return new ApiError(401, MESSAGE.jwtUndecodable);
      const verdict = this.deps.jwt.verify(credential, this.deps.now());
      return verdict.ok ? { identity: 'app', installationId: null } : new ApiError(401, verdict.message);
    }
    if (!['token', 'bearer'].includes(scheme.toLowerCase())) return new ApiError(401, MESSAGE.badCredentials);
    const installationId = this.deps.tokens.resolve(credential, this.deps.now());
    return installationId === null ? new ApiError(401, MESSAGE.badCredentials) : { identity: `installation:${installationId}`, installationId };
  }

  private injectedError(status: 500 | 502 | 503, what: string): ApiResult {
    this.deps.stats.faulted();
    this.deps.events.record('fault-injected', { detail: `${status} on ${what}` });
    return errorResult(new ApiError(status, MESSAGE.serverError[status]));
  }

  private send(response: ServerResponse, routeName: string, requestId: string, result: ApiResult, limitHeaders: Record<string, string>): void {
    this.deps.stats.record(routeName, result.status);
    const headers: Record<string, string> = {
      date: new Date(this.deps.now()).toUTCString(),
      server: 'github.com',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': requestId,
      ...limitHeaders,
      ...result.headers,
    };
    const hasBody = result.status !== 204 && result.status !== 304;
    if (hasBody) headers['content-type'] = 'application/json; charset=utf-8';
    response.writeHead(result.status, headers);
    response.end(hasBody ? JSON.stringify(result.body ?? {}) : undefined);
  }
}

interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

function matchRoute(routes: Route[], method: string, path: string): RouteMatch | null {
  const segments = path.split('/');
  for (const route of routes) {
    if (route.method !== method) continue;
    const patternSegments = route.pattern.split('/');
    if (patternSegments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = patternSegments.every((part, index) => {
      const segment = segments[index] ?? '';
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name === undefined) return part === segment;
      if (segment === '') return false;
      const decoded = safeDecode(segment);
      if (decoded === null) return false;
      params[name] = decoded;
      return true;
    });
    if (matches) return { route, params };
  }
  return null;
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function runHandler(route: Route, context: RouteContext): ApiResult {
  try {
    return route.handle(context);
  } catch (error) {
    if (error instanceof ApiError) return errorResult(error);
    // A bug in the fake, not a GitHub behaviour: answer like GitHub would, but say so loudly.
    console.error(`[fake-github] ${route.method} ${route.pattern} threw`, error);
    return errorResult(new ApiError(500, MESSAGE.serverError[500]));
  }
}

function errorResult(error: ApiError): ApiResult {
  return { status: error.status, body: errorBody(error), headers: error.headers };
}

function stripPrefix(pathname: string): string {
  const path = pathname.startsWith(`${GHES_PREFIX}/`) ? pathname.slice(GHES_PREFIX.length) : pathname;
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function newRequestId(): string {
  const hex = randomBytes(16).toString('hex').toUpperCase();
  return `${hex.slice(0, 4)}:${hex.slice(4, 8)}:${hex.slice(8, 14)}:${hex.slice(14, 20)}:${hex.slice(20, 28)}`;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('Request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
