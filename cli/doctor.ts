// `npx fleet doctor`: checks a deployment end to end (stack outputs, the App's private key, the App JWT, the
// installation and its permissions, the webhook, recent deliveries, the smoke test) and says what to fix.
// Each check is independent; one that needs an earlier check's result is skipped when that check failed.
// Nothing secret is ever printed: not the key, not a JWT, not a token, not the webhook secret.
import { createPrivateKey } from 'node:crypto';
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createAppAuth } from '@octokit/auth-app';
import { request as octokitRequest } from '@octokit/request';
import { MANIFEST_TEMPLATES, type RunnerScope } from '../github-app/manifest';
import { parseFleetConfig, type FleetConfig } from '../stacks/config';

export const REQUIRED_OUTPUTS = ['WebhookUrl', 'WebhookSecretName', 'PrivateKeySecretName', 'StateMachineArn', 'EventBusName', 'DeadLetterQueueUrl', 'ClusterName', 'DashboardUrl'] as const;
export const DEFAULT_API_URL = 'https://api.github.com';
const API_VERSION = '2022-11-28';
const SMOKE_TEST_WORKFLOW = 'smoke-test.yml';
const DAY_MS = 24 * 60 * 60 * 1000;

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';
export type CheckId = 'stack' | 'private-key' | 'app' | 'installation' | 'webhook' | 'deliveries' | 'smoke-test';

export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a WARN or FAIL. */
  fix?: string;
}

export interface DoctorReport {
  stack: string;
  ok: boolean;
  checks: CheckResult[];
}

export interface DoctorOptions {
  stack: string;
  region: string | undefined;
  /** OWNER/REPO whose smoke-test run to read. */
  repo: string | undefined;
  /** Overrides cdk.json's gitHubAppId. */
  appId: number | undefined;
  /** Overrides cdk.json's gitHubApiUrl. */
  apiUrl: string | undefined;
  /** The cdk.json whose context.fleet holds the App id, API URL and scope. */
  configPath: string;
}

export interface DoctorDeps {
  cloudFormation: CloudFormationClient;
  secretsManager: SecretsManagerClient;
  readFile: (path: string) => Promise<string>;
  now: () => Date;
}

const TITLES: Record<CheckId, string> = {
  stack: 'Stack outputs',
  'private-key': 'App private key',
  app: 'App id and JWT',
  installation: 'Installation and permissions',
  webhook: 'Webhook URL',
  deliveries: 'Recent deliveries',
  'smoke-test': 'Smoke test',
};

function result(id: CheckId, status: CheckStatus, detail: string, fix?: string): CheckResult {
  return { id, title: TITLES[id], status, detail, ...(fix === undefined ? {} : { fix }) };
}

const skip = (id: CheckId, why: string): CheckResult => result(id, 'skip', why);

export async function runDoctor(options: DoctorOptions, deps: DoctorDeps): Promise<DoctorReport> {
  const checks: CheckResult[] = [];
  const regionFlag = options.region ? ` --region ${options.region}` : '';

  const stack = await checkStack(deps.cloudFormation, options.stack);
  checks.push(stack.result);
  const outputs = stack.outputs;

  const key = await checkPrivateKey(deps.secretsManager, outputs.get('PrivateKeySecretName'), regionFlag);
  checks.push(key.result);

  const config = await loadConfig(deps.readFile, options.configPath);
  const appId = options.appId ?? config.config?.gitHubAppId;
  const apiUrl = (options.apiUrl ?? config.config?.gitHubApiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const github = octokitRequest.defaults({ baseUrl: apiUrl, headers: { 'x-github-api-version': API_VERSION, 'user-agent': 'ecs-github-runners-doctor' } });

  const app = await checkApp(github, apiUrl, appId, config.problem, key.privateKey, outputs.get('PrivateKeySecretName'));
  checks.push(app.result);
  const session = app.session;

  checks.push(session ? await checkInstallation(session, config) : skip('installation', 'needs a working App JWT (check 3)'));
  checks.push(session ? await checkWebhook(session, outputs.get('WebhookUrl'), outputs.get('WebhookSecretName')) : skip('webhook', 'needs a working App JWT (check 3)'));
  checks.push(session ? await checkDeliveries(session, deps.now(), outputs.get('WebhookSecretName'), regionFlag) : skip('deliveries', 'needs a working App JWT (check 3)'));
  if (options.repo === undefined) checks.push(skip('smoke-test', 'pass --repo OWNER/REPO to read the last run of the smoke test in that repository'));
  else checks.push(session ? await checkSmokeTest(session, options.repo) : skip('smoke-test', 'needs a working App JWT (check 3)'));

  return { stack: options.stack, ok: checks.every((check) => check.status !== 'fail'), checks };
}

// 1. Stack outputs ---------------------------------------------------------------------------------------------

async function checkStack(cloudFormation: CloudFormationClient, stackName: string): Promise<{ result: CheckResult; outputs: Map<string, string> }> {
  const deployFix = `deploy the fleet (npx cdk deploy), or pass --stack NAME (and --region) for the stack you deployed`;
  try {
    const response = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = response.Stacks?.[0];
    const outputs = new Map((stack?.Outputs ?? []).flatMap((o) => (o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue] as const] : [])));
    const missing = REQUIRED_OUTPUTS.filter((name) => !outputs.has(name));
    const status = stack?.StackStatus ?? 'UNKNOWN';
    if (missing.length > 0) {
      return { outputs, result: result('stack', 'fail', `stack "${stackName}" (${status}) lacks the output${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: it is not a fleet stack, or it predates them`, deployFix) };
    }
    if (/FAILED|ROLLBACK/.test(status)) {
      return { outputs, result: result('stack', 'warn', `stack "${stackName}" is ${status}; it has all ${REQUIRED_OUTPUTS.length} outputs`, `see the stack's events in the CloudFormation console, fix the cause and deploy again (npx cdk deploy)`) };
    }
    return { outputs, result: result('stack', 'ok', `stack "${stackName}" (${status}) has all ${REQUIRED_OUTPUTS.length} outputs; dashboard: ${outputs.get('DashboardUrl') ?? ''}`) };
  } catch (error) {
    if (error instanceof Error && /does not exist/i.test(error.message)) {
      return { outputs: new Map(), result: result('stack', 'fail', `stack "${stackName}" not found in this account and region`, deployFix) };
    }
    return { outputs: new Map(), result: result('stack', 'fail', `cannot describe stack "${stackName}": ${describeError(error)}`, 'check your AWS credentials (standard chain) and --region; you need cloudformation:DescribeStacks') };
  }
}

// 2. App private key -------------------------------------------------------------------------------------------

async function checkPrivateKey(secretsManager: SecretsManagerClient, secretName: string | undefined, regionFlag: string): Promise<{ result: CheckResult; privateKey?: string }> {
  if (secretName === undefined) return { result: skip('private-key', 'needs the PrivateKeySecretName output (check 1)') };
  const putCommand = `aws secretsmanager put-secret-value --secret-id ${secretName} --secret-string file://<your-app>.private-key.pem${regionFlag}`;
  const putFix = `put the App's private key (PEM) in ${secretName}: generate one in the App settings (Private keys → Generate a private key), then ${putCommand}`;
  let value: string | undefined;
  try {
    const response = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretName }));
    value = response.SecretString;
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const message = error instanceof Error ? error.message : String(error);
    if (name === 'ResourceNotFoundException' && /value|staging label|AWSCURRENT/i.test(message)) {
      return { result: result('private-key', 'fail', `${secretName} has no value yet`, putFix) };
    }
    if (name === 'ResourceNotFoundException') {
      return { result: result('private-key', 'fail', `secret ${secretName} not found`, `deploy the fleet again (npx cdk deploy); if privateKeySecretArn is set in cdk.json, it must name an existing secret`) };
    }
    return { result: result('private-key', 'fail', `cannot read ${secretName}: ${describeError(error)}`, `you need secretsmanager:GetSecretValue on ${secretName} (and kms:Decrypt on its key)`) };
  }
  const key = (value ?? '').trim();
  if (key === '') return { result: result('private-key', 'fail', `${secretName} is empty`, putFix) };
  if (!key.startsWith('-----BEGIN ') || !isPrivateKey(key)) {
    return { result: result('private-key', 'fail', `${secretName} does not hold a PEM RSA private key (the .pem file GitHub downloads, header and footer lines included)`, `put the .pem file GitHub downloaded, unchanged: ${putCommand}`) };
  }
  return { result: result('private-key', 'ok', `${secretName} holds a PEM private key`), privateKey: key };
}

function isPrivateKey(pem: string): boolean {
  try {
    return createPrivateKey(pem).asymmetricKeyType === 'rsa';
  } catch {
    return false;
  }
}

// Configuration (cdk.json) -------------------------------------------------------------------------------------

interface LoadedConfig {
  config?: FleetConfig;
  /** Why there is no configuration, for the messages of checks 3 and 4. */
  problem?: string;
}

async function loadConfig(readFile: DoctorDeps['readFile'], path: string): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(path);
  } catch {
    return { problem: `cannot read ${path} (run from the project directory, or pass --config PATH)` };
  }
  try {
    const json = JSON.parse(text) as { context?: { fleet?: unknown } };
    return { config: parseFleetConfig(json.context?.fleet, `${path} context "fleet"`) };
  } catch (error) {
    return { problem: `${path} has no valid fleet configuration: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}

// 3. App id and JWT --------------------------------------------------------------------------------------------

type GitHubRequest = typeof octokitRequest;

interface AppInfo {
  id: number;
  slug: string;
  htmlUrl: string;
  ownerLogin: string;
  ownerType: string;
  permissions: Record<string, string>;
  events: string[];
}

interface GitHubSession {
  github: GitHubRequest;
  apiUrl: string;
  app: AppInfo;
  jwt: () => Promise<string>;
  installationToken: (installationId: number) => Promise<string>;
}

async function checkApp(
  github: GitHubRequest,
  apiUrl: string,
  appId: number | undefined,
  configProblem: string | undefined,
  privateKey: string | undefined,
  secretName: string | undefined,
): Promise<{ result: CheckResult; session?: GitHubSession }> {
  if (appId === undefined) {
    return { result: result('app', 'fail', `no App id: ${configProblem ?? 'cdk.json has no gitHubAppId'}`, 'set gitHubAppId in cdk.json context.fleet, or pass --app-id N (App settings → About → App ID)') };
  }
  if (privateKey === undefined) return { result: skip('app', `App ${appId}: needs the private key (check 2)`) };
  const auth = createAppAuth({ appId, privateKey, request: github });
  const jwt = async () => (await auth({ type: 'app' })).token;
  let data: Record<string, unknown>;
  try {
    const response = await github('GET /app', { headers: { authorization: `bearer ${await jwt()}` } });
    data = response.data as unknown as Record<string, unknown>;
  } catch (error) {
    const status = statusOf(error);
    if (status === 401 || status === 404) {
      return {
        result: result(
          'app',
          'fail',
          `GitHub (${apiUrl}) refused the App JWT (${status}): the private key in ${secretName ?? 'the secret'} does not belong to App ${appId}, the key was deleted in GitHub, or this machine's clock is off`,
          `check the App id (App settings → About → App ID; gitHubAppId in cdk.json or --app-id), or generate a new private key for App ${appId} and put it in ${secretName ?? 'the secret'}`,
        ),
      };
    }
    return { result: githubFailure('app', apiUrl, 'GET /app', error) };
  }
  const owner = (data['owner'] ?? {}) as Record<string, unknown>;
  const app: AppInfo = {
    id: Number(data['id'] ?? appId),
    slug: text(data['slug']),
    htmlUrl: text(data['html_url']),
    ownerLogin: text(owner['login']),
    ownerType: text(owner['type']),
    permissions: (data['permissions'] ?? {}) as Record<string, string>,
    events: Array.isArray(data['events']) ? (data['events'] as unknown[]).map(String) : [],
  };
  const installationToken = async (installationId: number) => (await auth({ type: 'installation', installationId })).token;
  return {
    result: result('app', 'ok', `App ${app.id} "${app.slug}" of ${app.ownerLogin || 'its owner'} accepts the JWT signed with the key (${apiUrl})`),
    session: { github, apiUrl, app, jwt, installationToken },
  };
}

/** The App's settings page on GitHub (web, not API): General, Permissions & events, Advanced (deliveries). */
export function appSettingsUrl(app: Pick<AppInfo, 'htmlUrl' | 'slug' | 'ownerLogin' | 'ownerType'>): string {
  let webRoot = 'https://github.com';
  try {
    webRoot = new URL(app.htmlUrl).origin;
  } catch {
    // keep github.com
  }
  return app.ownerType === 'Organization'
    ? `${webRoot}/organizations/${app.ownerLogin}/settings/apps/${app.slug}`
    : `${webRoot}/settings/apps/${app.slug}`;
}

// 4. Installation and permissions ------------------------------------------------------------------------------

/** What the fleet needs of the installation for its scope: the manifest's permissions, Actions: write with re-runs. */
export function requiredPermissions(scope: RunnerScope, rerun: boolean): Record<string, 'read' | 'write'> {
  return { ...MANIFEST_TEMPLATES[scope].default_permissions, ...(rerun ? { actions: 'write' as const } : {}) };
}

function satisfies(granted: string | undefined, needed: 'read' | 'write'): boolean {
  return granted === 'write' || granted === 'admin' || (needed === 'read' && granted === 'read');
}

async function checkInstallation(session: GitHubSession, loaded: LoadedConfig): Promise<CheckResult> {
  const config = loaded.config;
  if (!config) return result('installation', 'fail', `the runner scope is unknown: ${loaded.problem ?? 'no configuration'}`, 'run from the project directory (cdk.json), or pass --config PATH');
  const scope: RunnerScope = 'organization' in config.scope ? 'organization' : 'repositories';
  const targets = 'organization' in config.scope ? [{ label: `organization ${config.scope.organization}`, route: `GET /orgs/${config.scope.organization}/installation` }] : config.scope.repositories.map((repo) => ({ label: `repository ${repo}`, route: `GET /repos/${repo}/installation` }));
  const needed = requiredPermissions(scope, config.rerunInterruptedJobs);
  const settings = appSettingsUrl(session.app);
  const problems: string[] = [];
  const fixes = new Set<string>();
  const found: string[] = [];
  for (const target of targets) {
    let installation: Record<string, unknown>;
    try {
      const response = await session.github(target.route, { headers: { authorization: `bearer ${await session.jwt()}` } });
      installation = response.data as Record<string, unknown>;
    } catch (error) {
      if (statusOf(error) === 404) {
        problems.push(`App ${session.app.slug} is not installed on ${target.label}`);
        fixes.add(`install the App on ${target.label.replace(/^\w+ /, '')}: ${session.app.htmlUrl || settings}/installations/new`);
        continue;
      }
      return githubFailure('installation', session.apiUrl, target.route, error);
    }
    found.push(`${target.label} (installation ${String(installation['id'])})`);
    const granted = (installation['permissions'] ?? {}) as Record<string, string>;
    const events = Array.isArray(installation['events']) ? (installation['events'] as unknown[]).map(String) : [];
    for (const [permission, access] of Object.entries(needed)) {
      if (satisfies(granted[permission], access)) continue;
      problems.push(`${target.label} lacks ${permission}: ${access} (has ${granted[permission] ?? 'none'})`);
      if (satisfies(session.app.permissions[permission], access)) {
        fixes.add(`the App asks for ${permission}: ${access} but the installation has not accepted it: accept the new permissions at ${text(installation['html_url'], 'the installation settings')}`);
      } else {
        fixes.add(`grant ${permission}: ${access === 'write' ? 'Read and write' : 'Read-only'} in the App settings → Permissions & events (${settings}/permissions), then accept it on the installation`);
      }
    }
    if (!events.includes('workflow_job')) {
      problems.push(`${target.label} is not subscribed to workflow_job events`);
      fixes.add(`subscribe to "Workflow job" in the App settings → Permissions & events (${settings}/permissions), then accept it on the installation`);
    }
  }
  if (problems.length > 0) return result('installation', 'fail', problems.join('; '), [...fixes].join('; '));
  return result('installation', 'ok', `installed on ${found.join(', ')} with ${Object.entries(needed).map(([p, a]) => `${p}: ${a}`).join(', ')} and workflow_job events`);
}

// 5. Webhook configuration -------------------------------------------------------------------------------------

async function checkWebhook(session: GitHubSession, webhookUrl: string | undefined, secretName: string | undefined): Promise<CheckResult> {
  let config: Record<string, unknown>;
  try {
    const response = await session.github('GET /app/hook/config', { headers: { authorization: `bearer ${await session.jwt()}` } });
    config = response.data;
  } catch (error) {
    return githubFailure('webhook', session.apiUrl, 'GET /app/hook/config', error);
  }
  const url = typeof config['url'] === 'string' ? config['url'] : '';
  const settings = `${appSettingsUrl(session.app)} (General → Webhook)`;
  const secretNote = `the secret cannot be read back from GitHub: if deliveries fail with 401, set it to the "current" field of ${secretName ?? 'the WebhookSecretName secret'}`;
  if (webhookUrl === undefined) {
    return result('webhook', 'warn', `the App sends webhooks to ${url || 'nowhere'}; there is no WebhookUrl output to compare with (check 1)`, 'fix check 1 and run doctor again');
  }
  if (url !== webhookUrl) {
    return result('webhook', 'fail', `the App sends webhooks to ${url || 'nowhere (no URL)'}, not to the relay ${webhookUrl}`, `set the Webhook URL to ${webhookUrl} and keep it active in the App settings ${settings}`);
  }
  if (config['content_type'] !== undefined && config['content_type'] !== 'json') {
    return result('webhook', 'fail', `the webhook sends ${text(config['content_type'])}, the relay reads JSON`, `set the content type to application/json in ${settings}`);
  }
  return result('webhook', 'ok', `the App sends JSON webhooks to the relay ${webhookUrl}; ${secretNote}`);
}

// 6. Recent deliveries -----------------------------------------------------------------------------------------

interface Delivery {
  status_code?: number;
  delivered_at?: string;
  event?: string;
}

async function checkDeliveries(session: GitHubSession, now: Date, secretName: string | undefined, regionFlag: string): Promise<CheckResult> {
  let deliveries: Delivery[];
  try {
    const response = await session.github('GET /app/hook/deliveries', { per_page: 50, headers: { authorization: `bearer ${await session.jwt()}` } });
    deliveries = response.data;
  } catch (error) {
    return githubFailure('deliveries', session.apiUrl, 'GET /app/hook/deliveries', error);
  }
  const counts = new Map<number, number>();
  for (const delivery of deliveries) counts.set(delivery.status_code ?? 0, (counts.get(delivery.status_code ?? 0) ?? 0) + 1);
  const summary = deliveries.length === 0 ? 'no deliveries' : `${deliveries.length} recent deliveries: ${[...counts.entries()].sort(([a], [b]) => a - b).map(([code, n]) => `${code === 0 ? 'no response' : code} ×${n}`).join(', ')}`;
  const since = now.getTime() - DAY_MS;
  const lastDay = deliveries.filter((d) => d.delivered_at !== undefined && Date.parse(d.delivered_at) >= since);
  const unauthorized = lastDay.filter((d) => d.status_code === 401).length;
  const failed = lastDay.filter((d) => (d.status_code ?? 0) >= 500 || d.status_code === 0).length;
  const secret = secretName ?? '<WebhookSecretName>';
  if (unauthorized > 0) {
    return result(
      'deliveries',
      'fail',
      `webhook secret mismatch: ${unauthorized} deliveries of the last day answered 401 (${summary})`,
      `set the App's webhook secret (${appSettingsUrl(session.app)}, General → Webhook secret) to the "current" field of ${secret}: aws secretsmanager get-secret-value --secret-id ${secret} --query SecretString --output text${regionFlag} | jq -r .current`,
    );
  }
  if (failed > 0) {
    return result('deliveries', 'warn', `${failed} deliveries of the last day failed with 5xx or no response: the relay or EventBridge failed (${summary})`, 'the redelivery function retries them; see the dashboard (DashboardUrl output) and the relay function\'s logs');
  }
  if (!lastDay.some((d) => d.event === 'workflow_job')) {
    return result('deliveries', 'warn', `no workflow_job delivery in the last day (${summary})`, 'run the smoke test (examples/README.md) to see one job go through');
  }
  return result('deliveries', 'ok', summary);
}

// 7. Smoke test ------------------------------------------------------------------------------------------------

async function checkSmokeTest(session: GitHubSession, repo: string): Promise<CheckResult> {
  const notRun = `copy examples/smoke-test.yml to .github/workflows/ in ${repo} and run it (Actions → Fleet smoke test → Run workflow; see examples/README.md)`;
  let installationId: number;
  try {
    const response = await session.github('GET /repos/{owner}/{repo}/installation', { ...splitRepo(repo), headers: { authorization: `bearer ${await session.jwt()}` } });
    installationId = Number((response.data as { id: number }).id);
  } catch (error) {
    if (statusOf(error) === 404) return result('smoke-test', 'fail', `App ${session.app.slug} is not installed on ${repo}`, `install it: ${session.app.htmlUrl || appSettingsUrl(session.app)}/installations/new, or pass --repo for a repository the fleet serves`);
    return githubFailure('smoke-test', session.apiUrl, 'GET /repos/{owner}/{repo}/installation', error);
  }
  let runs: Array<Record<string, unknown>>;
  try {
    const token = await session.installationToken(installationId);
    const response = await session.github('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', {
      ...splitRepo(repo),
      workflow_id: SMOKE_TEST_WORKFLOW,
      per_page: 1,
      headers: { authorization: `token ${token}` },
    });
    runs = ((response.data as { workflow_runs?: unknown[] }).workflow_runs ?? []) as Array<Record<string, unknown>>;
  } catch (error) {
    if (statusOf(error) === 404) return result('smoke-test', 'warn', `not run yet: ${repo} has no .github/workflows/${SMOKE_TEST_WORKFLOW}`, notRun);
    return githubFailure('smoke-test', session.apiUrl, 'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', error);
  }
  const run = runs[0];
  if (!run) return result('smoke-test', 'warn', `not run yet in ${repo}`, notRun);
  const url = text(run['html_url']);
  const when = typeof run['created_at'] === 'string' ? ` of ${run['created_at']}` : '';
  if (run['status'] !== 'completed') return result('smoke-test', 'ok', `the last run${when} is ${String(run['status'])}: ${url}`);
  const conclusion = text(run['conclusion'], 'unknown');
  if (conclusion === 'success') return result('smoke-test', 'ok', `the last run${when} passed: ${url}`);
  if (conclusion === 'failure' || conclusion === 'timed_out' || conclusion === 'startup_failure') {
    return result('smoke-test', 'fail', `the last run${when} ended in ${conclusion}: ${url}`, 'each job\'s summary lists what failed; examples/README.md says what each failure means (a job that never starts: see checks 4 to 6 and npx fleet status)');
  }
  return result('smoke-test', 'warn', `the last run${when} ended in ${conclusion}: ${url}`, 'run the smoke test again (Actions → Fleet smoke test → Run workflow)');
}

function splitRepo(repo: string): { owner: string; repo: string } {
  const [owner = '', name = ''] = repo.split('/');
  return { owner, repo: name };
}

// Helpers ------------------------------------------------------------------------------------------------------

/** A field of a GitHub answer as text: strings and numbers as they are, anything else the fallback. */
function text(value: unknown, fallback = ''): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : fallback;
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : undefined;
}

function githubFailure(id: CheckId, apiUrl: string, route: string, error: unknown): CheckResult {
  const status = statusOf(error);
  if (status === undefined || status === 500) {
    return result(id, 'fail', `cannot reach ${apiUrl} (${route}): ${describeError(error)}`, 'check the network and the API URL (gitHubApiUrl in cdk.json, or --api-url)');
  }
  if (status === 403 || status === 429) return result(id, 'fail', `GitHub refused ${route} (${status}): ${firstLine(error)}`, 'if this is a rate limit, wait and run doctor again; otherwise check the App\'s permissions (check 4)');
  return result(id, 'fail', `GitHub answered ${status} to ${route}: ${firstLine(error)}`, 'run doctor again; if it persists, check githubstatus.com');
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/** An error's name and first line, with anything that looks like a credential removed. */
function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${firstLine(error)}` : String(error);
  return redact(text);
}

export function redact(text: string): string {
  return text
    .replace(/-----BEGIN[A-Z ]*-----[A-Za-z0-9+/=\s\\]+(-----END[A-Z ]*-----)?/g, '[redacted key]')
    .replace(/\b(gh[sopur]_[A-Za-z0-9]{10,})/g, '[redacted token]')
    .replace(/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, '[redacted JWT]');
}

// Rendering ----------------------------------------------------------------------------------------------------

const MARKS: Record<CheckStatus, string> = { ok: 'OK  ', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

export function renderDoctorReport(report: DoctorReport): string {
  const lines = [`fleet doctor: stack ${report.stack}`, ''];
  report.checks.forEach((check, index) => {
    lines.push(`${MARKS[check.status]}  ${index + 1}. ${check.title}: ${redact(check.detail)}`);
    if (check.fix) lines.push(`        fix: ${redact(check.fix)}`);
  });
  const count = (status: CheckStatus) => report.checks.filter((c) => c.status === status).length;
  lines.push('', `${report.ok ? 'No failures' : 'Failures to fix'}: ${count('fail')} FAIL, ${count('warn')} WARN, ${count('ok')} OK, ${count('skip')} skipped.`);
  return lines.join('\n');
}

export function renderDoctorJson(report: DoctorReport): string {
  const checks = report.checks.map((check) => ({ ...check, detail: redact(check.detail), ...(check.fix === undefined ? {} : { fix: redact(check.fix) }) }));
  return JSON.stringify({ ...report, checks }, null, 2);
}
