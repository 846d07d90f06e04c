// The command line of create-app.ts, parsed into one of its two steps. Every mistake is a UsageError that says
// what was wrong and how to fix it.
import { parseArgs } from 'node:util';
import { defaultAppName, MAX_APP_NAME_LENGTH, type RunnerScope } from './manifest';

export const COMMAND = 'npx tsx github-app/create-app.ts';
export const DEFAULT_API_URL = 'https://api.github.com';

export const HELP = `Creates the fleet's GitHub App in one step from a manifest (GitHub's "Registering a GitHub App from a
manifest" flow), and hands you its credentials for the stack's secrets. Run it after the first \`cdk deploy\`:
the App's webhook URL is a stack output.

Step 1, the App:
  ${COMMAND} --webhook-url URL [--org ORG] [--repositories] [--rerun] [--name NAME] [--out FILE]

  Prints the manifest and writes an HTML page with a button that sends it to GitHub. Open the page, create
  the App on GitHub, and copy the \`code\` from the address of the page GitHub sends you to (that page does not
  load: nothing listens there, which keeps the code on your machine).

  --webhook-url URL         the stack's WebhookUrl output (https)
  --org ORG                 create the App in this organization (you must be an owner or App manager there);
                            without it, in your personal account. Repositories of an organization need --org too:
                            a private App can only be installed by its owner
  --repositories            the fleet's scope is { "repositories": [...] }: ask for Administration: write
                            (repository runners) instead of Self-hosted runners: write (organization runners)
  --rerun                   the fleet sets rerunInterruptedJobs: ask for Actions: write instead of read
  --name NAME               the App's name, unique on GitHub, at most ${MAX_APP_NAME_LENGTH} characters
                            (default "${defaultAppName('ORG')}", or "${defaultAppName(undefined)}" without --org); GitHub lets you edit it
  --out FILE                where to write the page (default github-app/create-app.html)

Step 2, within an hour, the credentials:
  ${COMMAND} --exchange CODE --private-key-secret NAME [--webhook-secret NAME] [--out-dir DIR]

  Trades the code for the App's id, private key and webhook secret (POST /app-manifests/{code}/conversions),
  writes the secrets to files only you can read, and prints the App id and the exact \`aws secretsmanager\`
  commands that store them. Secrets are never printed.

  --exchange CODE           the code from the address bar (or the whole address)
  --private-key-secret NAME the stack's PrivateKeySecretName output (or your privateKeySecretArn)
  --webhook-secret NAME     the stack's WebhookSecretName output: the relay checks signatures with it, so it must
                            hold the webhook secret GitHub generated for the App
  --out-dir DIR             where to write private-key.pem and webhook-secret.json (default: a new private
                            directory under the system's temporary directory)

Both steps:
  --api-url URL             GitHub's REST API root (default ${DEFAULT_API_URL}); GitHub Enterprise Server:
                            https://HOST/api/v3, as gitHubApiUrl in the fleet configuration
  --private-key-secret, --webhook-secret are also accepted in step 1, to fill in the command it prints
  --help                    this text
`;

/** A mistake on the command line: the message says what was wrong and how to fix it. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CreateCommand {
  kind: 'create';
  scope: RunnerScope;
  webhookUrl: string;
  org: string | undefined;
  rerun: boolean;
  name: string;
  /** The page to write; undefined means the default next to this script. */
  out: string | undefined;
  apiUrl: string;
  /** github.com, or the GitHub Enterprise Server host, derived from the API URL. */
  webRoot: string;
  privateKeySecret: string | undefined;
  webhookSecret: string | undefined;
}

export interface ExchangeCommand {
  kind: 'exchange';
  code: string;
  apiUrl: string;
  privateKeySecret: string;
  webhookSecret: string | undefined;
  outDir: string | undefined;
}

export type Command = { kind: 'help' } | CreateCommand | ExchangeCommand;

const OPTIONS = {
  'webhook-url': { type: 'string' },
  org: { type: 'string' },
  repositories: { type: 'boolean', default: false },
  rerun: { type: 'boolean', default: false },
  name: { type: 'string' },
  out: { type: 'string' },
  exchange: { type: 'string' },
  'private-key-secret': { type: 'string' },
  'webhook-secret': { type: 'string' },
  'out-dir': { type: 'string' },
  'api-url': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const CREATE_ONLY = ['webhook-url', 'org', 'repositories', 'rerun', 'name', 'out'] as const;
const EXCHANGE_ONLY = ['out-dir'] as const;

export function parseCommand(argv: readonly string[]): Command {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${positionals[0]}": every value follows its option, e.g. --org octo-org.`);
  }
  const apiUrl = parseApiUrl(values['api-url'] ?? DEFAULT_API_URL);
  const privateKeySecret = optionalSecretName('--private-key-secret', values['private-key-secret']);
  const webhookSecret = optionalSecretName('--webhook-secret', values['webhook-secret']);

  if (values.exchange !== undefined) {
    const misplaced = CREATE_ONLY.filter((option) => values[option] !== undefined && values[option] !== false);
    if (misplaced.length > 0) {
      throw new UsageError(`--${misplaced.join(', --')} belong${misplaced.length === 1 ? 's' : ''} to step 1 (creating the App); --exchange is step 2: leave ${misplaced.length === 1 ? 'it' : 'them'} out.`);
    }
    if (!privateKeySecret) {
      throw new UsageError('--exchange needs --private-key-secret NAME: the stack\'s PrivateKeySecretName output, where the App\'s private key goes.');
    }
    return { kind: 'exchange', code: parseCode(values.exchange), apiUrl, privateKeySecret, webhookSecret, outDir: nonEmpty('--out-dir', values['out-dir']) };
  }

  const misplaced = EXCHANGE_ONLY.filter((option) => values[option] !== undefined);
  if (misplaced.length > 0) throw new UsageError(`--${misplaced.join(', --')} belongs to step 2: use it with --exchange CODE.`);
  if (values['webhook-url'] === undefined) {
    throw new UsageError('Nothing to do: pass --webhook-url URL (the stack\'s WebhookUrl output) to create the App, or --exchange CODE --private-key-secret NAME to finish creating it.');
  }
  const org = values.org === undefined ? undefined : parseOrg(values.org);
  return {
    kind: 'create',
    scope: values.repositories ? 'repositories' : 'organization',
    webhookUrl: parseWebhookUrl(values['webhook-url']),
    org,
    rerun: values.rerun,
    name: values.name === undefined ? defaultAppName(org) : parseName(values.name),
    out: nonEmpty('--out', values.out),
    apiUrl,
    webRoot: webRootFor(apiUrl),
    privateKeySecret,
    webhookSecret,
  };
}

/** github.com for api.github.com, `https://HOST` for GitHub Enterprise Server's `https://HOST/api/v3`. */
export function webRootFor(apiUrl: string): string {
  const url = new URL(apiUrl);
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '/api/v3') return url.origin;
  // api.github.com and GHE.com's api.SUBDOMAIN.ghe.com serve the web UI on the same host without "api.".
  if (path === '' && url.hostname.startsWith('api.')) return `${url.protocol}//${url.host.slice('api.'.length)}`;
  throw new UsageError(`--api-url ${apiUrl} is neither https://api.github.com nor a GitHub Enterprise Server API root (https://HOST/api/v3): the App is created on the matching web host, so pass the API root.`);
}

function parseApiUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--api-url "${value}" is not a URL: use ${DEFAULT_API_URL}, or https://HOST/api/v3 for GitHub Enterprise Server.`);
  }
  // Plain http only for a server on this machine (tests, a local fake of GitHub): the answer holds a private key.
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new UsageError(`--api-url ${value} must be https (the answer holds the App's private key); plain http is only accepted for 127.0.0.1 or localhost.`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new UsageError(`--api-url ${url.origin}${url.pathname} must be the bare API root, without credentials, query or fragment.`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function parseWebhookUrl(value: string): string {
  const fix = 'use the stack\'s WebhookUrl output: aws cloudformation describe-stacks --stack-name STACK --query "Stacks[0].Outputs[?OutputKey==\'WebhookUrl\'].OutputValue" --output text';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--webhook-url "${value}" is not a URL: ${fix}`);
  }
  if (url.protocol !== 'https:') throw new UsageError(`--webhook-url ${value} must be https (GitHub signs deliveries, but their payloads would travel in clear): ${fix}`);
  if (url.username || url.password) throw new UsageError(`--webhook-url must not carry credentials: ${fix}`);
  return url.href;
}

function parseOrg(value: string): string {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(value)) {
    throw new UsageError(`--org "${value}" is not a GitHub organization login (letters, digits and dashes, at most 39): use the name in https://github.com/ORG.`);
  }
  return value;
}

function parseName(value: string): string {
  const name = value.trim();
  if (name.length === 0 || name.length > MAX_APP_NAME_LENGTH) {
    throw new UsageError(`--name "${value}" must be 1 to ${MAX_APP_NAME_LENGTH} characters (GitHub's limit for App names), e.g. --name "octo-org runners".`);
  }
  return name;
}

/** The code alone, or the whole address GitHub redirected to (`...?code=...`), which is easier to copy. */
function parseCode(value: string): string {
  let code = value.trim();
  if (/^https?:\/\//.test(code)) {
    const fromUrl = new URL(code).searchParams.get('code');
    if (!fromUrl) throw new UsageError('--exchange was given an address without a code parameter: copy the whole address GitHub sent you to, ending in ?code=..., or just the code.');
    code = fromUrl;
  }
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(code)) {
    throw new UsageError('--exchange takes the code GitHub put in the address after you created the App (letters and digits, after "code="), or that whole address.');
  }
  return code;
}

/** A Secrets Manager secret name or ARN; printed into shell commands, so only its own characters. */
function optionalSecretName(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[A-Za-z0-9/_+=.@:-]{1,2048}$/.test(value)) {
    throw new UsageError(`${flag} "${value}" is not a Secrets Manager secret name or ARN: use the stack output's value as it is.`);
  }
  return value;
}

function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`${flag} needs a path.`);
  return value;
}

function describeParseError(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `Unknown option ${option ?? message}: the options are listed in --help.`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return option && /argument missing|ambiguous|Did you forget/.test(message)
        ? `${option} needs a value, e.g. ${option} VALUE.`
        : `${option ?? 'An option'} takes no value: write ${option ?? 'it'} alone.`;
    default:
      return message;
  }
}
