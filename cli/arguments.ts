// The command line of `npx fleet`, parsed into one command. Every mistake is a UsageError that says what was
// wrong and how to fix it (exit code 2).
import { parseArgs } from 'node:util';

export const DEFAULT_STACK = 'GitHubRunnersOnEcs';
export const DEFAULT_STATUS_LIMIT = 20;
export const DEFAULT_AUDIT_SEARCH = 200;

const COMMON = `Common options:
  --stack NAME     the fleet's CloudFormation stack (default ${DEFAULT_STACK}); its outputs name the state machine
                   and the cluster
  --region REGION  AWS region of the stack (default: the AWS SDK's, from AWS_REGION or your profile)
  --help           this text
Credentials come from the standard AWS chain (environment, profile, SSO, instance role).`;

export const DEFAULT_CONFIG = 'cdk.json';

export const HELP: Record<'fleet' | 'launch' | 'status' | 'audit' | 'doctor', string> = {
  fleet: `Operates a deployed fleet of ephemeral GitHub Actions runners on Amazon ECS.

Usage: npx fleet <command> [options]

Commands:
  launch   start one runner by hand for a repository and labels (a lifecycle execution without a job)
  status   the most recent lifecycle executions as a table: job, repo, runner, class, capacity, outcome
  audit    one job's or execution's life as a timeline: states, runners, tasks, interruptions, outcome
  doctor   checks the deployment end to end (stack, App key and JWT, installation, webhook, deliveries, smoke
           test) and says what to fix

Run \`npx fleet <command> --help\` for a command's options.

${COMMON}
`,
  launch: `Starts a lifecycle execution for a manual launch: one runner for the repository and labels.

Usage: npx fleet launch --repo OWNER/REPO --labels LABEL[,LABEL...] [--installation-id N] [common options]

  --repo OWNER/REPO      the repository the runner registers for (with an organization scope, any repository
                         of the organization), e.g. octo-org/hello-world
  --labels a,b           comma-separated labels a runner class must offer, e.g. self-hosted,fargate-small
  --installation-id N    the GitHub App installation id (default: looked up from the repository)

Prints the execution ARN and its Step Functions console link.

${COMMON}
`,
  status: `Lists the most recent lifecycle executions, newest first, with what each one did.

Usage: npx fleet status [--limit N] [--json] [common options]

  --limit N   how many executions (default ${DEFAULT_STATUS_LIMIT}, at most 1000)
  --json      print the rows as JSON instead of a table

Columns: execution, job (id, or "manual"), repo, runner (the last attempt's), class, capacity, attempts,
outcome (the terminal state, or "running"), started (UTC), duration.

${COMMON}
`,
  audit: `Shows the life of one job's runners: every state entered and exited (times from the start), each runner
and its ECS task (with console links), capacity, interruptions, relaunches, retries and the outcome.

Usage: npx fleet audit <EXECUTION_ARN | JOB_ID | JOB_URL> [--search N] [--html FILE] [common options]

  EXECUTION_ARN  arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME
  JOB_ID         the workflow job id, e.g. 29679449
  JOB_URL        https://github.com/OWNER/REPO/actions/runs/RUN/job/JOB
  --search N     for a job id or URL: how many recent executions to look through (default ${DEFAULT_AUDIT_SEARCH})
  --html FILE    also write the timeline as an HTML page (the sandbox's picture: one row per runner)

${COMMON}
`,
  doctor: `Checks the deployment end to end and says, for each check, OK / WARN / FAIL (or SKIP when it needs an earlier
check that failed) with what to fix:
  1. Stack outputs      the stack exists and has every output the fleet writes
  2. App private key    PrivateKeySecretName holds a PEM private key (never printed)
  3. App id and JWT     GitHub accepts a JWT for the App id signed with that key (GET /app)
  4. Installation       the App is installed on the configured organization or repositories with the
                        permissions the fleet needs and workflow_job events
  5. Webhook URL        the App's webhook goes to the WebhookUrl output, as JSON
  6. Recent deliveries  the last 50 deliveries by status code: 401 (secret mismatch), 5xx, none in a day
  7. Smoke test         with --repo: the last run of .github/workflows/smoke-test.yml there

Usage: npx fleet doctor [--repo OWNER/REPO] [--app-id N] [--api-url URL] [--config FILE] [--json] [common options]

  --repo OWNER/REPO  a repository with the smoke test (examples/smoke-test.yml) whose last run to read
  --app-id N         the GitHub App id (default: gitHubAppId in the configuration)
  --api-url URL      the GitHub REST API root (default: gitHubApiUrl in the configuration, or
                     https://api.github.com)
  --config FILE      the cdk.json whose context.fleet gives the App id, the API URL and the runner scope
                     (default ./${DEFAULT_CONFIG}); the deployed functions' settings are not read, so run doctor
                     with the configuration you deployed
  --json             print the checks as JSON

Exit code 0 when no check failed, 1 otherwise. No secret, key or token is ever printed.

${COMMON}
`,
};

/** A mistake on the command line: the message says what was wrong and how to fix it. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface CommonOptions {
  stack: string;
  region: string | undefined;
}

export type AuditTarget = { kind: 'execution'; executionArn: string } | { kind: 'job'; jobId: number };

export type FleetCommand =
  | { kind: 'help'; text: string }
  | ({ kind: 'launch'; repo: string; labels: string; installationId: string | undefined } & CommonOptions)
  | ({ kind: 'status'; limit: number; json: boolean } & CommonOptions)
  | ({ kind: 'audit'; target: AuditTarget; search: number; html: string | undefined } & CommonOptions)
  | ({ kind: 'doctor'; repo: string | undefined; appId: number | undefined; apiUrl: string | undefined; config: string; json: boolean } & CommonOptions);

const COMMON_OPTIONS = {
  stack: { type: 'string' },
  region: { type: 'string' },
  help: { type: 'boolean' },
} as const;

export function parseFleetArguments(argv: readonly string[]): FleetCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return { kind: 'help', text: HELP.fleet };
  switch (command) {
    case 'launch':
      return parseLaunch(rest);
    case 'status':
      return parseStatus(rest);
    case 'audit':
      return parseAudit(rest);
    case 'doctor':
      return parseDoctor(rest);
    default:
      throw new UsageError(`Unknown command "${command}". Use one of: launch, status, audit, doctor (npx fleet --help).`);
  }
}

function parse<T extends Record<string, { type: 'string' | 'boolean' }>>(command: string, args: readonly string[], options: T, positionals = false) {
  try {
    return parseArgs({ args: [...args], options: { ...COMMON_OPTIONS, ...options }, strict: true, allowPositionals: positionals });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${message}. See npx fleet ${command} --help.`, { cause: error });
  }
}

function common(values: { stack?: string | boolean | undefined; region?: string | boolean | undefined }): CommonOptions {
  const stack = typeof values.stack === 'string' ? values.stack : DEFAULT_STACK;
  if (stack.trim() === '') throw new UsageError('--stack is empty: pass the name of the fleet stack, e.g. --stack GitHubRunnersOnEcs.');
  return { stack, region: typeof values.region === 'string' ? values.region : undefined };
}

function parseLaunch(args: readonly string[]): FleetCommand {
  const { values } = parse('launch', args, { repo: { type: 'string' }, labels: { type: 'string' }, 'installation-id': { type: 'string' } });
  if (values.help) return { kind: 'help', text: HELP.launch };
  if (values.repo === undefined) throw new UsageError('--repo is missing: pass the repository as OWNER/REPO, e.g. --repo octo-org/hello-world.');
  if (values.labels === undefined) throw new UsageError('--labels is missing: pass the runner labels comma-separated, e.g. --labels self-hosted,fargate-small.');
  return { kind: 'launch', repo: values.repo, labels: values.labels, installationId: values['installation-id'], ...common(values) };
}

function parseStatus(args: readonly string[]): FleetCommand {
  const { values } = parse('status', args, { limit: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return { kind: 'help', text: HELP.status };
  const limit = positiveInteger('--limit', values.limit, DEFAULT_STATUS_LIMIT, 1000);
  return { kind: 'status', limit, json: values.json === true, ...common(values) };
}

function parseAudit(args: readonly string[]): FleetCommand {
  const { values, positionals } = parse('audit', args, { search: { type: 'string' }, html: { type: 'string' } }, true);
  if (values.help) return { kind: 'help', text: HELP.audit };
  if (positionals.length !== 1) {
    throw new UsageError(`audit takes exactly one execution ARN, job id or job URL (got ${positionals.length}), e.g. npx fleet audit 29679449.`);
  }
  const search = positiveInteger('--search', values.search, DEFAULT_AUDIT_SEARCH, 10_000);
  if (values.html !== undefined && values.html.trim() === '') throw new UsageError('--html is empty: pass the file to write, e.g. --html job.html.');
  return { kind: 'audit', target: parseAuditTarget(positionals[0] ?? ''), search, html: values.html, ...common(values) };
}

function parseDoctor(args: readonly string[]): FleetCommand {
  const { values } = parse('doctor', args, { repo: { type: 'string' }, 'app-id': { type: 'string' }, 'api-url': { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return { kind: 'help', text: HELP.doctor };
  const repo = values.repo?.trim();
  if (repo !== undefined && !/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(repo)) {
    throw new UsageError(`--repo "${values.repo ?? ''}" is not OWNER/REPO: pass the repository with the smoke test, e.g. --repo octo-org/hello-world.`);
  }
  const appIdText = values['app-id'];
  if (appIdText !== undefined && !/^[1-9]\d{0,15}$/.test(appIdText)) {
    throw new UsageError(`--app-id "${appIdText}" is not a GitHub App id: pass the number from the App settings (About → App ID), e.g. --app-id 123456.`);
  }
  const apiUrl = values['api-url'];
  if (apiUrl !== undefined && !/^https:\/\/[^\s/]+(\/\S*)?$/.test(apiUrl)) {
    throw new UsageError(`--api-url "${apiUrl}" is not an https URL: pass the REST API root, e.g. --api-url https://api.github.com or https://HOST/api/v3.`);
  }
  const config = values.config ?? DEFAULT_CONFIG;
  if (config.trim() === '') throw new UsageError('--config is empty: pass the cdk.json of the deployed fleet, e.g. --config cdk.json.');
  return { kind: 'doctor', repo, appId: appIdText === undefined ? undefined : Number(appIdText), apiUrl, config, json: values.json === true, ...common(values) };
}

const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/;
const JOB_URL = /^https:\/\/[^/]+\/[^/]+\/[^/]+\/actions\/runs\/\d+\/job\/(\d+)(?:[/?#].*)?$/;

export function parseAuditTarget(text: string): AuditTarget {
  const value = text.trim();
  if (EXECUTION_ARN.test(value)) return { kind: 'execution', executionArn: value };
  if (/^[1-9]\d{0,15}$/.test(value)) return { kind: 'job', jobId: Number(value) };
  const url = JOB_URL.exec(value);
  if (url?.[1]) return { kind: 'job', jobId: Number(url[1]) };
  throw new UsageError(
    `"${text}" is neither an execution ARN, a job id nor a job URL. Pass arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME, ` +
      'a job id such as 29679449, or https://github.com/OWNER/REPO/actions/runs/RUN/job/JOB.',
  );
}

function positiveInteger(flag: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw new UsageError(`${flag} "${text}" is not a whole number between 1 and ${max}, e.g. ${flag} ${fallback}.`);
  }
  return Number(text);
}
