import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCreateApp } from '../../github-app/create-app';

const WEBHOOK_URL = 'https://abcdefghijklmnop.lambda-url.eu-west-1.on.aws/';
const CODE = 'a180b1a3d263c81bc6441d7b990bae27d4c10679';
// A key made at run time (nothing key-shaped is committed), in the PKCS#1 PEM form GitHub hands out.
const PEM = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const WEBHOOK_SECRET = 'whsec-4f1d9e0c7b2a4e3f9a8b7c6d5e4f3a2b';
const CLIENT_SECRET = 'clsec-0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b';

/** GitHub's answer to POST /app-manifests/{code}/conversions, trimmed to what matters. */
function conversionResponse(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 987654,
    slug: 'octo-org-ecs-runners',
    node_id: 'A_kwDOBq3example',
    owner: { login: 'octo-org', id: 1, type: 'Organization' },
    name: 'octo-org ECS runners',
    html_url: 'https://github.com/apps/octo-org-ecs-runners',
    permissions: { organization_self_hosted_runners: 'write', actions: 'read', metadata: 'read' },
    events: ['workflow_job'],
    client_id: 'Iv23liExample',
    client_secret: CLIENT_SECRET,
    webhook_secret: WEBHOOK_SECRET,
    pem: PEM,
    ...overrides,
  };
}

interface RecordedRequest {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
}

/** A stand-in for GitHub's API on 127.0.0.1 and a random port, answering every request with one response. */
async function startFakeGitHub(status: number, body: unknown): Promise<{ apiUrl: string; requests: RecordedRequest[]; server: Server }> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers });
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { apiUrl: `http://127.0.0.1:${port}`, requests, server };
}

/** Runs the command in this process; its default credentials directory goes under `tempRoot`. */
async function run(argv: string[], tempRoot?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCreateApp(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), ...(tempRoot ? { tempRoot } : {}) });
  return { code, stdout, stderr };
}

function expectNoSecret(output: string): void {
  for (const secret of [PEM, 'PRIVATE KEY', PEM.split('\n')[1] ?? PEM, WEBHOOK_SECRET, CLIENT_SECRET]) expect(output).not.toContain(secret);
}

let workDir: string;
let server: Server | undefined;

beforeEach(() => {
  workDir = mkdtempSync(join(tmpdir(), 'create-app-test-'));
});

afterEach(async () => {
  if (server) await new Promise((resolve) => server?.close(resolve));
  server = undefined;
  rmSync(workDir, { recursive: true, force: true });
});

describe('create-app.ts, step 1: the manifest and the page', () => {
  it('prints the manifest alone on stdout, writes the page, and explains the next step on stderr', async () => {
    // GIVEN the stack's webhook URL and an organization, with re-runs on
    const out = join(workDir, 'create-app.html');

    // WHEN step 1 runs
    const result = await run(['--webhook-url', WEBHOOK_URL, '--org', 'octo-org', '--rerun', '--out', out, '--private-key-secret', 'FleetPrivateKey']);

    // THEN stdout is the manifest with the URL filled in and Actions: write, and the page posts it to octo-org
    expect(result.code).toBe(0);
    const manifest = JSON.parse(result.stdout) as { hook_attributes: { url: string }; default_permissions: Record<string, string> };
    expect(manifest.hook_attributes.url).toBe(WEBHOOK_URL);
    expect(manifest.default_permissions).toEqual({ organization_self_hosted_runners: 'write', actions: 'write', metadata: 'read' });
    expect(readFileSync(out, 'utf8')).toContain('action="https://github.com/organizations/octo-org/settings/apps/new"');
    expect(result.stderr).toContain(`Wrote ${out}`);
    expect(result.stderr).toContain('npx tsx github-app/create-app.ts --exchange CODE --private-key-secret FleetPrivateKey --webhook-secret <WebhookSecretName>');
  });

  it('fails with a fix when the page cannot be written', async () => {
    const result = await run(['--webhook-url', WEBHOOK_URL, '--out', join(workDir, 'missing', 'page.html')]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Could not write the page to .*missing\/page\.html .*pass --out FILE in a folder that exists/);
    expect(result.stdout).toBe('');
  });
});

describe('create-app.ts, step 2: trading the code', () => {
  it('trades the code with an unauthenticated POST and writes the secrets to files only the user can read', async () => {
    // GIVEN GitHub converts the code into a new App
    const github = await startFakeGitHub(201, conversionResponse());
    server = github.server;
    const outDir = join(workDir, 'secrets');

    // WHEN step 2 runs
    const result = await run(['--exchange', CODE, '--private-key-secret', 'FleetPrivateKey', '--webhook-secret', 'FleetWebhookSecret', '--api-url', github.apiUrl, '--out-dir', outDir]);

    // THEN one POST went to the conversion endpoint, without credentials
    expect(result.code).toBe(0);
    expect(github.requests).toHaveLength(1);
    expect(github.requests[0]).toMatchObject({ method: 'POST', url: `/app-manifests/${CODE}/conversions` });
    expect(github.requests[0]?.headers.authorization).toBeUndefined();
    expect(github.requests[0]?.headers.accept).toBe('application/vnd.github+json');

    // AND the key and the webhook secret (in the relay's shape) are in files with mode 0600
    const pemFile = join(outDir, 'private-key.pem');
    const webhookFile = join(outDir, 'webhook-secret.json');
    expect(readFileSync(pemFile, 'utf8')).toBe(PEM);
    expect(JSON.parse(readFileSync(webhookFile, 'utf8'))).toEqual({ current: WEBHOOK_SECRET });
    expect(statSync(pemFile).mode & 0o777).toBe(0o600);
    expect(statSync(webhookFile).mode & 0o777).toBe(0o600);
    expect(readdirSync(outDir).sort()).toEqual(['private-key.pem', 'webhook-secret.json']);

    // AND stdout has the App id and the exact commands that store them, and no secret anywhere
    expect(result.stdout).toContain('App id: 987654');
    expect(result.stdout).toContain(`aws secretsmanager put-secret-value --secret-id FleetPrivateKey --secret-string file://${pemFile}\n`);
    expect(result.stdout).toContain(`aws secretsmanager put-secret-value --secret-id FleetWebhookSecret --secret-string file://${webhookFile}\n`);
    expect(result.stdout).toContain(`rm ${pemFile} ${webhookFile}\n`);
    expect(result.stdout).toContain('"gitHubAppId": 987654');
    expect(result.stdout).toContain('https://github.com/apps/octo-org-ecs-runners/installations/new');
    expectNoSecret(result.stdout + result.stderr);
  });

  it('writes the secrets to a new directory only the user can open when no --out-dir is given', async () => {
    // GIVEN GitHub converts the code
    const github = await startFakeGitHub(201, conversionResponse());
    server = github.server;

    // WHEN step 2 runs without --out-dir
    const result = await run(['--exchange', CODE, '--private-key-secret', 'FleetPrivateKey', '--api-url', github.apiUrl], workDir);

    // THEN the key is in a fresh 0700 directory, and the command names the webhook secret by its stack output
    expect(result.code).toBe(0);
    const [dir, ...others] = readdirSync(workDir).map((name) => join(workDir, name));
    expect(others).toEqual([]);
    expect(statSync(dir ?? '').mode & 0o777).toBe(0o700);
    expect(statSync(join(dir ?? '', 'private-key.pem')).mode & 0o777).toBe(0o600);
    expect(result.stdout).toContain(`--secret-id <WebhookSecretName> --secret-string file://${join(dir ?? '', 'webhook-secret.json')}`);
    expect(result.stdout).toContain(`rm -r ${dir}\n`);
    expectNoSecret(result.stdout + result.stderr);
  });

  it('tells the user to give the App the stack\'s webhook secret when GitHub generated none', async () => {
    const github = await startFakeGitHub(201, conversionResponse({ webhook_secret: null }));
    server = github.server;
    const outDir = join(workDir, 'secrets');

    const result = await run(['--exchange', CODE, '--private-key-secret', 'FleetPrivateKey', '--webhook-secret', 'FleetWebhookSecret', '--api-url', github.apiUrl, '--out-dir', outDir]);

    expect(result.code).toBe(0);
    expect(readdirSync(outDir)).toEqual(['private-key.pem']);
    expect(result.stdout).toContain('aws secretsmanager get-secret-value --secret-id FleetWebhookSecret --query SecretString --output text | jq -r .current');
    expect(result.stdout).toContain('https://github.com/organizations/octo-org/settings/apps/octo-org-ecs-runners');
  });

  it('fails with a clear message when the code is unknown or expired (404), and leaves no file behind', async () => {
    // GIVEN GitHub no longer knows the code
    const github = await startFakeGitHub(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/apps/apps#create-a-github-app-from-a-manifest' });
    server = github.server;

    // WHEN step 2 runs
    const result = await run(['--exchange', CODE, '--private-key-secret', 'FleetPrivateKey', '--api-url', github.apiUrl], workDir);

    // THEN it explains that a code works once within an hour, how to finish by hand, and removes its directory
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^GitHub does not know this code \(404: "Not Found"\)\. A code works once, within an hour of creating the App\. If the App was created, finish by hand/);
    expect(result.stdout).toBe('');
    expect(readdirSync(workDir)).toEqual([]);
  });

  it('fails with GitHub\'s message when it refuses the code (422)', async () => {
    const github = await startFakeGitHub(422, { message: 'Validation Failed' });
    server = github.server;

    const result = await run(['--exchange', CODE, '--private-key-secret', 'FleetPrivateKey', '--api-url', github.apiUrl, '--out-dir', join(workDir, 'secrets')]);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe('GitHub refused the code (422: "Validation Failed"). Create the App again (step 1) and use the new code within the hour.\n');
  });

  it.each([
    [429, { message: 'API rate limit exceeded' }],
    [403, { message: 'You have exceeded a secondary rate limit.' }],
  ])('says to wait and retry when GitHub rate-limits the request (%i)', async (status, body) => {
    const github = await startFakeGitHub(status, body);
    server = github.server;

    const result = await run(['--exchange', CODE, '--private-key-secret', 'FleetPrivateKey', '--api-url', github.apiUrl, '--out-dir', join(workDir, 'secrets')]);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^GitHub rate-limited this request .* Wait a minute and run the same command again/);
  });

  it('quotes paths with spaces in the commands it prints', async () => {
    const github = await startFakeGitHub(201, conversionResponse());
    server = github.server;
    const outDir = join(workDir, 'my secrets');

    const result = await run(['--exchange', CODE, '--private-key-secret', 'FleetPrivateKey', '--api-url', github.apiUrl, '--out-dir', outDir]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`--secret-string 'file://${join(outDir, 'private-key.pem')}'`);
  });

  it('fails without echoing the body when GitHub\'s 201 is not an App, since the body may hold the key', async () => {
    const github = await startFakeGitHub(201, conversionResponse({ id: 'not-a-number' }));
    server = github.server;

    const result = await run(['--exchange', CODE, '--private-key-secret', 'FleetPrivateKey', '--api-url', github.apiUrl, '--out-dir', join(workDir, 'secrets')]);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/GitHub answered 201 but not with a GitHub App \(unexpected id\)/);
    expectNoSecret(result.stdout + result.stderr);
  });

  it('fails naming the API URL when GitHub cannot be reached', async () => {
    // GIVEN a port nothing listens on
    const github = await startFakeGitHub(201, conversionResponse());
    await new Promise((resolve) => github.server.close(resolve));

    const result = await run(['--exchange', CODE, '--private-key-secret', 'FleetPrivateKey', '--api-url', github.apiUrl, '--out-dir', join(workDir, 'secrets')]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Could not reach ${github.apiUrl} (`);
    expect(result.stderr).toContain('Check --api-url');
  });

  it('refuses to overwrite secrets already in --out-dir, before the one-time code is used', async () => {
    // GIVEN a key from an earlier App in the output directory
    const github = await startFakeGitHub(201, conversionResponse());
    server = github.server;
    const outDir = join(workDir, 'secrets');
    mkdirSync(outDir);
    writeFileSync(join(outDir, 'private-key.pem'), 'an earlier key');

    // WHEN step 2 runs
    const result = await run(['--exchange', CODE, '--private-key-secret', 'FleetPrivateKey', '--api-url', github.apiUrl, '--out-dir', outDir]);

    // THEN GitHub was not asked, and the earlier key is untouched
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(outDir, 'private-key.pem')} already exists: move it away (it may be another App's key) or pass another --out-dir.`);
    expect(github.requests).toEqual([]);
    expect(readFileSync(join(outDir, 'private-key.pem'), 'utf8')).toBe('an earlier key');
    expect(existsSync(join(outDir, 'webhook-secret.json'))).toBe(false);
  });
});

describe('create-app.ts as a command', () => {
  const tsx = join(__dirname, '../../node_modules/.bin/tsx');
  const script = join(__dirname, '../../github-app/create-app.ts');

  it('prints the help, explaining each option, and exits 0', () => {
    const result = spawnSync(tsx, [script, '--help'], { encoding: 'utf8' });

    expect(result.status).toBe(0);
    for (const option of ['--webhook-url', '--org', '--repositories', '--rerun', '--name', '--out', '--exchange', '--private-key-secret', '--webhook-secret', '--out-dir', '--api-url']) {
      expect(result.stdout).toMatch(new RegExp(`^ {2}${option} `, 'm'));
    }
  });

  it('exits 2 with the mistake and a pointer to --help on bad arguments', () => {
    const result = spawnSync(tsx, [script, '--webhook-url', 'http://example.com'], { encoding: 'utf8' });

    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--webhook-url http:\/\/example.com must be https/);
    expect(result.stderr).toContain('See: npx tsx github-app/create-app.ts --help');
  });
});
