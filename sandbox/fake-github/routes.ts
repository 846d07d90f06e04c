// The REST endpoints the fleet uses, with GitHub's paths, status codes and bodies. Authentication, rate limits
// and faults happen before a handler runs (server.ts); handlers only see an authenticated caller.
import * as z from 'zod';
import { key, type Directory, type Installation } from './directory';
import { ApiError, DOCS_URL, MESSAGE, notFound } from './errors';
import { encodeJitConfig } from './jit-config';
import { isRecord, isoSeconds, parseJson } from './json';
import { appJson, installationJson, jobJson, runnerJson, type AppInfo } from './shapes';
import type { FleetState, RunnerScope } from './state';
import type { InstallationTokens } from './tokens';
import type { PermissionLevel } from './types';
import { deliveryJson, type WebhookSender } from './webhooks';

export type AuthKind = 'app' | 'installation';

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** Set for installation-authenticated routes. */
  installationId: number | null;
  /** The server's base URL, for the URLs inside responses. */
  apiUrl: string;
}

export interface ApiResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  pattern: string;
  auth: AuthKind;
  handle(context: RouteContext): ApiResult;
}

export interface RouteDependencies {
  app: AppInfo;
  directory: Directory;
  state: FleetState;
  tokens: InstallationTokens;
  webhooks: WebhookSender;
  now: () => number;
}

const JitConfigBody = z.object({
  name: z.string().min(1),
  runner_group_id: z.number().int().positive(),
  labels: z.array(z.string().min(1)).min(1).max(100),
  work_folder: z.string().min(1).optional(),
});

export function createRoutes(deps: RouteDependencies): Route[] {
  const { app, directory, state, tokens, webhooks, now } = deps;
  const labelIds = new Map<string, number>();
  const labelId = (name: string): number => {
    const id = labelIds.get(key(name)) ?? labelIds.size + 1;
    labelIds.set(key(name), id);
    return id;
  };

  const installationOf = (context: RouteContext): Installation => {
    const installation = context.installationId === null ? undefined : directory.installation(context.installationId);
    if (!installation) throw new ApiError(401, MESSAGE.badCredentials);
    return installation;
  };
  const requirePermission = (installation: Installation, name: string, level: PermissionLevel): void => {
    const granted = installation.permissions[name];
    if (granted !== 'write' && granted !== level) throw new ApiError(403, MESSAGE.notAccessible);
  };
  const repositoryScope = (context: RouteContext, permission: PermissionLevel): RunnerScope => {
    const installation = installationOf(context);
    const repository = directory.repository(param(context, 'owner'), param(context, 'repo'));
    if (!repository || repository.installationId !== installation.id) throw notFound();
    requirePermission(installation, 'administration', permission);
    return { type: 'repository', repository };
  };
  const organizationScope = (context: RouteContext, permission: PermissionLevel): RunnerScope => {
    const installation = installationOf(context);
    const organization = directory.organization(param(context, 'org'));
    if (!organization || organization.id !== installation.id) throw notFound();
    requirePermission(installation, 'organization_self_hosted_runners', permission);
    return { type: 'organization', installation };
  };

  const runnerRoutes = (prefix: string, scopeOf: (context: RouteContext, permission: PermissionLevel) => RunnerScope): Route[] => [
    {
      method: 'POST',
      pattern: `${prefix}/actions/runners/generate-jitconfig`,
      auth: 'installation',
      handle: (context) => {
        const scope = scopeOf(context, 'write');
        const body = parseBody(JitConfigBody, context.body);
        const workFolder = body.work_folder ?? '_work';
        const runner = state.registerRunner(scope, { name: body.name, labels: body.labels, runnerGroupId: body.runner_group_id, workFolder });
        const encoded = encodeJitConfig({ runnerId: runner.id, runnerName: runner.name, workFolder, serverUrl: context.apiUrl, credential: runner.credential });
        return { status: 201, body: { runner: runnerJson(runner, labelId), encoded_jit_config: encoded } };
      },
    },
    {
      method: 'GET',
      pattern: `${prefix}/actions/runners`,
      auth: 'installation',
      handle: (context) => {
        const name = context.query.get('name');
        const runners = state.runnersIn(scopeOf(context, 'read')).filter((runner) => name === null || key(runner.name) === key(name));
        const page = paginate(runners, context, `${prefix}/actions/runners`);
        return { status: 200, body: { total_count: runners.length, runners: page.items.map((runner) => runnerJson(runner, labelId)) }, headers: page.headers };
      },
    },
    {
      method: 'GET',
      pattern: `${prefix}/actions/runners/{runner_id}`,
      auth: 'installation',
      handle: (context) => {
        const runner = state.runnerIn(scopeOf(context, 'read'), numericParam(context, 'runner_id'));
        if (!runner) throw notFound();
        return { status: 200, body: runnerJson(runner, labelId) };
      },
    },
    {
      method: 'DELETE',
      pattern: `${prefix}/actions/runners/{runner_id}`,
      auth: 'installation',
      handle: (context) => {
        state.deleteRunner(scopeOf(context, 'write'), numericParam(context, 'runner_id'));
        return { status: 204 };
      },
    },
  ];

  const jobOf = (context: RouteContext, permission: PermissionLevel) => {
    const installation = installationOf(context);
    const repository = directory.repository(param(context, 'owner'), param(context, 'repo'));
    if (!repository || repository.installationId !== installation.id) throw notFound();
    requirePermission(installation, 'actions', permission);
    const job = state.job(numericParam(context, 'job_id'));
    if (!job || job.repository.id !== repository.id) throw notFound();
    return job;
  };

  return [
    {
      method: 'GET',
      pattern: '/app',
      auth: 'app',
      handle: (context) => {
        const installations = directory.installations();
        return { status: 200, body: appJson(app, installations[0]?.account, context.apiUrl, installations.length) };
      },
    },
    {
      method: 'GET',
      pattern: '/repos/{owner}/{repo}/installation',
      auth: 'app',
      handle: (context) => {
        const repository = directory.repository(param(context, 'owner'), param(context, 'repo'));
        const installation = repository ? directory.installation(repository.installationId) : undefined;
        if (!installation) throw notFound(DOCS_URL.installation);
        return { status: 200, body: installationJson(installation, app, context.apiUrl) };
      },
    },
    {
      method: 'GET',
      pattern: '/orgs/{org}/installation',
      auth: 'app',
      handle: (context) => {
        const installation = directory.organization(param(context, 'org'));
        if (!installation) throw notFound(DOCS_URL.installation);
        return { status: 200, body: installationJson(installation, app, context.apiUrl) };
      },
    },
    {
      method: 'POST',
      pattern: '/app/installations/{installation_id}/access_tokens',
      auth: 'app',
      handle: (context) => {
        const installation = directory.installation(numericParam(context, 'installation_id'));
        if (!installation) throw notFound();
        const { token, expiresAtMs } = tokens.issue(installation.id, now());
        return {
          status: 201,
          body: {
            token,
            expires_at: isoSeconds(expiresAtMs),
            permissions: installation.permissions,
            repository_selection: installation.repositorySelection,
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/app/hook/deliveries',
      auth: 'app',
      handle: (context) => listDeliveries(webhooks, context),
    },
    {
      method: 'GET',
      pattern: '/app/hook/deliveries/{delivery_id}',
      auth: 'app',
      handle: (context) => {
        const record = webhooks.get(numericParam(context, 'delivery_id'));
        if (!record) throw notFound();
        return {
          status: 200,
          body: {
            ...deliveryJson(record),
            url: record.url,
            request: { headers: record.request.headers, payload: parseJson(record.request.body) },
            response: record.response,
          },
        };
      },
    },
    {
      method: 'POST',
      pattern: '/app/hook/deliveries/{delivery_id}/attempts',
      auth: 'app',
      handle: (context) => {
        if (!webhooks.redeliver(numericParam(context, 'delivery_id'))) throw notFound();
        return { status: 202, body: {} };
      },
    },
    ...runnerRoutes('/repos/{owner}/{repo}', repositoryScope),
    ...runnerRoutes('/orgs/{org}', organizationScope),
    {
      method: 'GET',
      pattern: '/repos/{owner}/{repo}/actions/jobs/{job_id}',
      auth: 'installation',
      handle: (context) => ({ status: 200, body: jobJson(jobOf(context, 'read'), context.apiUrl) }),
    },
    {
      method: 'POST',
      pattern: '/repos/{owner}/{repo}/actions/jobs/{job_id}/rerun',
      auth: 'installation',
      handle: (context) => {
        state.rerunJob(jobOf(context, 'write'));
        return { status: 201, body: {} };
      },
    },
  ];
}

function listDeliveries(webhooks: WebhookSender, context: RouteContext): ApiResult {
  const perPage = perPageOf(context);
  const records = webhooks.list();
  const cursor = context.query.get('cursor');
  let start = 0;
  if (cursor) {
    const match = /^v1_(\d+)$/.exec(cursor);
    start = match ? records.findIndex((record) => record.id === Number(match[1])) : -1;
    if (start < 0) throw new ApiError(400, 'Bad Request', DOCS_URL.deliveries);
  }
  const page = records.slice(start, start + perPage);
  const next = records[start + perPage];
  const headers: Record<string, string> = next
    ? { link: `<${context.apiUrl}/app/hook/deliveries?per_page=${perPage}&cursor=v1_${next.id}>; rel="next"` }
    : {};
  return { status: 200, body: page.map(deliveryJson), headers };
}

/** Page-number pagination with GitHub's Link header (`prev`, `next`, `last`, `first`). */
function paginate<T>(items: T[], context: RouteContext, path: string): { items: T[]; headers: Record<string, string> } {
  const perPage = perPageOf(context);
  const page = Math.max(1, Number.parseInt(context.query.get('page') ?? '1', 10) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const concretePath = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(context.params[name] ?? ''));
  const name = context.query.get('name');
  const link = (n: number, rel: string): string => {
    const query = new URLSearchParams({ ...(name === null ? {} : { name }), per_page: String(perPage), page: String(n) });
    return `<${context.apiUrl}${concretePath}?${query.toString()}>; rel="${rel}"`;
  };
  const links = [
    ...(page > 1 ? [link(page - 1, 'prev')] : []),
    ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
    ...(page > 1 ? [link(1, 'first')] : []),
  ];
  return { items: items.slice((page - 1) * perPage, page * perPage), headers: links.length > 0 ? { link: links.join(', ') } : {} };
}

function perPageOf(context: RouteContext): number {
  const requested = Number.parseInt(context.query.get('per_page') ?? '30', 10);
  return Math.min(100, Math.max(1, Number.isNaN(requested) ? 30 : requested));
}

/** Validates a request body; 422 with GitHub's wording for a missing key or a bad value. */
function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  const topLevelKey = issue?.path.length === 1 ? String(issue.path[0]) : undefined;
  const missing = topLevelKey !== undefined && (!isRecord(body) || !(topLevelKey in body));
  const message = missing
    ? `Invalid input: object is missing required key: ${path}`
    : `Invalid request.\n\nFor '${path}', ${issue?.message ?? 'the value is invalid'}.`;
  throw new ApiError(422, message, DOCS_URL.jitConfig);
}

function param(context: RouteContext, name: string): string {
  const value = context.params[name];
  if (value === undefined) throw new Error(`Route has no {${name}}`);
  return value;
}

function numericParam(context: RouteContext, name: string): number {
  const value = Number(param(context, name));
  if (!Number.isSafeInteger(value)) throw notFound();
  return value;
}
