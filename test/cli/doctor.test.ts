import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import nock from 'nock';
import { redact, type DoctorReport } from '../../cli/doctor';
import { main } from '../../cli/fleet';
import { decodeBearerJwt, testKeyPair } from '../lambdas/support/github-app';
import { useNock } from '../lambdas/support/nock';
import {
  API_URL,
  APP,
  APP_ID,
  cdkJson,
  delivery,
  DOCTOR_STACK_OUTPUTS,
  hookConfig,
  INSTALLATION_ID,
  INSTALLATION_TOKEN,
  installationTokenResponse,
  NOW,
  ORG,
  orgInstallation,
  PRIVATE_KEY_SECRET_NAME,
  smokeTestRuns,
  WEBHOOK_SECRET_NAME,
  WEBHOOK_URL,
} from './doctor-fixtures';
import { REGION } from './fixtures';

useNock();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  readPaths: string[];
}

async function runDoctor(args: string[], options: { config?: string | null } = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const readPaths: string[] = [];
  const code = await main(['doctor', ...args], {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    clients: () => ({ sfn: new SFNClient({ region: REGION }), cloudFormation: new CloudFormationClient({ region: REGION }) }),
    secretsManager: () => new SecretsManagerClient({ region: REGION }),
    readFile: (path) => {
      readPaths.push(path);
      const config = options.config === undefined ? cdkJson() : options.config;
      return config === null ? Promise.reject(new Error(`ENOENT: no such file or directory, open '${path}'`)) : Promise.resolve(config);
    },
    writeFile: () => Promise.reject(new Error('doctor writes no file')),
    now: () => NOW,
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), readPaths };
}

const lineOf = (run: Run, title: string): string => run.stdout.split('\n').find((line) => line.includes(`. ${title}:`)) ?? '';
const fixAfter = (run: Run, title: string): string => {
  const lines = run.stdout.split('\n');
  const index = lines.findIndex((line) => line.includes(`. ${title}:`));
  return lines[index + 1]?.trim().startsWith('fix:') ? (lines[index + 1] ?? '') : '';
};

/** The GitHub side of a healthy deployment, each call checked for the App JWT. */
function healthyGitHub(jwts: string[] = []) {
  const jwt = function (this: { req: { headers: Record<string, string | undefined> } }) {
    jwts.push(this.req.headers['authorization'] ?? '');
  };
  return nock(API_URL)
    .get('/app')
    .reply(function reply() {
      jwt.call(this);
      return [200, APP];
    })
    .get(`/orgs/${ORG}/installation`)
    .reply(function reply() {
      jwt.call(this);
      return [200, orgInstallation()];
    })
    .get('/app/hook/config')
    .reply(200, hookConfig())
    .get('/app/hook/deliveries')
    .query({ per_page: '50' })
    .reply(200, [delivery(202, 5), delivery(202, 30), delivery(202, 60 * 30, 'ping')]);
}

function smokeTest(runs: nock.ReplyBody | { status: number } = smokeTestRuns()) {
  return nock(API_URL)
    .get(`/repos/${ORG}/hello-world/installation`)
    .reply(200, orgInstallation())
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(201, installationTokenResponse())
    .get(`/repos/${ORG}/hello-world/actions/workflows/smoke-test.yml/runs`)
    .query({ per_page: '1' })
    .reply(function reply() {
      expect(this.req.headers['authorization']).toBe(`token ${INSTALLATION_TOKEN}`);
      return 'status' in (runs as object) && typeof (runs as { status: unknown }).status === 'number' ? [(runs as { status: number }).status, { message: 'Not Found' }] : [200, runs];
    });
}

describe('fleet doctor', () => {
  const mockAws = () => ({ cloudFormation: mockClient(CloudFormationClient), secretsManager: mockClient(SecretsManagerClient) });
  let cloudFormation: ReturnType<typeof mockAws>['cloudFormation'];
  let secretsManager: ReturnType<typeof mockAws>['secretsManager'];
  beforeEach(() => {
    ({ cloudFormation, secretsManager } = mockAws());
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'GitHubRunnersOnEcs', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: DOCTOR_STACK_OUTPUTS }] });
    secretsManager.on(GetSecretValueCommand, { SecretId: PRIVATE_KEY_SECRET_NAME }).resolves({ SecretString: testKeyPair().privateKey });
  });
  afterEach(() => {
    cloudFormation.restore();
    secretsManager.restore();
  });

  it('passes every check of a healthy deployment, with a JWT for the configured App, and prints no secret', async () => {
    const jwts: string[] = [];
    healthyGitHub(jwts);
    smokeTest();

    const run = await runDoctor(['--repo', `${ORG}/hello-world`]);

    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(lineOf(run, 'Stack outputs')).toMatch(/^OK\s+1\. Stack outputs: stack "GitHubRunnersOnEcs" \(UPDATE_COMPLETE\) has all 8 outputs/);
    expect(lineOf(run, 'App private key')).toMatch(/^OK\s+2\..*FleetPrivateKey-xyz holds a PEM private key/);
    expect(lineOf(run, 'App id and JWT')).toMatch(new RegExp(`^OK\\s+3\\..*App ${APP_ID} "octo-org-ecs-runners"`));
    expect(lineOf(run, 'Installation and permissions')).toMatch(/^OK\s+4\..*organization octo-org \(installation 42\).*organization_self_hosted_runners: write/);
    expect(lineOf(run, 'Webhook URL')).toMatch(/^OK\s+5\..*relay https:\/\/abc123\.lambda-url/);
    expect(lineOf(run, 'Webhook URL')).toContain(`"current" field of ${WEBHOOK_SECRET_NAME}`);
    expect(lineOf(run, 'Recent deliveries')).toMatch(/^OK\s+6\..*3 recent deliveries: 202 ×3/);
    expect(lineOf(run, 'Smoke test')).toMatch(/^OK\s+7\..*passed: https:\/\/github\.com\/octo-org\/hello-world\/actions\/runs\/30433642/);
    expect(run.stdout).toContain('No failures: 0 FAIL, 0 WARN, 7 OK, 0 skipped.');
    expect(run.readPaths).toEqual(['cdk.json']);
    // The JWT GitHub saw: signed with the key from the secret, issued by the configured App id.
    const decoded = decodeBearerJwt(jwts[0], testKeyPair().publicKey);
    expect(decoded.verified).toBe(true);
    expect(String(decoded.payload.iss)).toBe(String(APP_ID));
    // Nothing secret in the output.
    expect(run.stdout).not.toContain('PRIVATE KEY');
    expect(run.stdout).not.toContain(INSTALLATION_TOKEN);
    expect(run.stdout).not.toMatch(/eyJ/);
  });

  it('prints the checks as JSON with --json', async () => {
    healthyGitHub();

    const run = await runDoctor(['--json']);

    const report = JSON.parse(run.stdout) as DoctorReport;
    expect(run.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['stack', 'ok'],
      ['private-key', 'ok'],
      ['app', 'ok'],
      ['installation', 'ok'],
      ['webhook', 'ok'],
      ['deliveries', 'ok'],
      ['smoke-test', 'skip'],
    ]);
    expect(report.checks[6]?.detail).toContain('--repo OWNER/REPO');
  });

  it('fails on an empty private key secret with the put-secret-value command, and skips the GitHub checks', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '' });

    const run = await runDoctor(['--region', REGION]);

    expect(run.code).toBe(1);
    expect(lineOf(run, 'App private key')).toMatch(/^FAIL\s+2\..*FleetPrivateKey-xyz is empty/);
    expect(fixAfter(run, 'App private key')).toContain(`put the App's private key (PEM) in ${PRIVATE_KEY_SECRET_NAME}`);
    expect(fixAfter(run, 'App private key')).toContain(`aws secretsmanager put-secret-value --secret-id ${PRIVATE_KEY_SECRET_NAME} --secret-string file://<your-app>.private-key.pem --region ${REGION}`);
    expect(lineOf(run, 'App id and JWT')).toMatch(/^SKIP\s+3\..*needs the private key \(check 2\)/);
    for (const title of ['Installation and permissions', 'Webhook URL', 'Recent deliveries']) expect(lineOf(run, title)).toMatch(/^SKIP/);
    expect(lineOf(run, 'Stack outputs')).toMatch(/^OK/);
  });

  it('fails on a secret that has never had a value (as the stack creates it)', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(Object.assign(new Error("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"), { name: 'ResourceNotFoundException' }));

    const run = await runDoctor([]);

    expect(run.code).toBe(1);
    expect(lineOf(run, 'App private key')).toMatch(/^FAIL.*has no value yet/);
    expect(fixAfter(run, 'App private key')).toContain('aws secretsmanager put-secret-value');
  });

  it('fails on a secret that is not a PEM key, without printing it', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'not-a-key-but-still-secret-1234' });

    const run = await runDoctor(['--json']);

    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as DoctorReport;
    expect(report.checks[1]).toMatchObject({ id: 'private-key', status: 'fail' });
    expect(report.checks[1]?.detail).toContain('does not hold a PEM RSA private key');
    expect(run.stdout).not.toContain('not-a-key-but-still-secret-1234');
  });

  it('fails when GitHub refuses the JWT: the key does not belong to the App', async () => {
    nock(API_URL).get('/app').reply(401, { message: 'A JSON web token could not be decoded', documentation_url: 'https://docs.github.com/rest' });

    const run = await runDoctor(['--app-id', '654321']);

    expect(run.code).toBe(1);
    expect(lineOf(run, 'App id and JWT')).toMatch(/^FAIL\s+3\..*does not belong to App 654321/);
    expect(fixAfter(run, 'App id and JWT')).toContain('--app-id');
    expect(lineOf(run, 'Installation and permissions')).toMatch(/^SKIP.*check 3/);
  });

  it('names each missing permission and event and where to fix it, a wrong webhook URL and a secret mismatch', async () => {
    nock(API_URL)
      .get('/app')
      .reply(200, APP)
      .get(`/orgs/${ORG}/installation`)
      .reply(200, orgInstallation({ permissions: { organization_self_hosted_runners: 'read', actions: 'read', metadata: 'read' }, events: [] }))
      .get('/app/hook/config')
      .reply(200, hookConfig('https://smee.io/old'))
      .get('/app/hook/deliveries')
      .query({ per_page: '50' })
      .reply(200, [delivery(401, 10), delivery(401, 20), delivery(202, 60 * 48)]);

    // rerunInterruptedJobs needs Actions: write, which neither the App nor the installation has.
    const run = await runDoctor([], { config: cdkJson({ rerunInterruptedJobs: true }) });

    expect(run.code).toBe(1);
    const installation = lineOf(run, 'Installation and permissions');
    expect(installation).toMatch(/^FAIL/);
    expect(installation).toContain('lacks organization_self_hosted_runners: write (has read)');
    expect(installation).toContain('lacks actions: write (has read)');
    expect(installation).toContain('not subscribed to workflow_job events');
    const fix = fixAfter(run, 'Installation and permissions');
    // The App asks for runner write access: the installation must accept it.
    expect(fix).toContain('organization_self_hosted_runners: write but the installation has not accepted it');
    expect(fix).toContain(`https://github.com/organizations/${ORG}/settings/installations/${INSTALLATION_ID}`);
    // The App does not ask for Actions write: grant it in the App settings.
    expect(fix).toContain(`grant actions: Read and write in the App settings → Permissions & events (https://github.com/organizations/${ORG}/settings/apps/octo-org-ecs-runners/permissions)`);

    expect(lineOf(run, 'Webhook URL')).toMatch(/^FAIL.*sends webhooks to https:\/\/smee\.io\/old, not to the relay/);
    expect(fixAfter(run, 'Webhook URL')).toContain(`set the Webhook URL to ${WEBHOOK_URL}`);

    expect(lineOf(run, 'Recent deliveries')).toMatch(/^FAIL.*webhook secret mismatch: 2 deliveries of the last day answered 401/);
    expect(fixAfter(run, 'Recent deliveries')).toContain(`aws secretsmanager get-secret-value --secret-id ${WEBHOOK_SECRET_NAME} --query SecretString --output text | jq -r .current`);
    expect(run.stdout).toContain('Failures to fix: 3 FAIL');
  });

  it('warns on 5xx deliveries, on no workflow_job delivery in a day, and on a smoke test never run', async () => {
    nock(API_URL)
      .get('/app')
      .times(2)
      .reply(200, APP)
      .get(`/orgs/${ORG}/installation`)
      .times(2)
      .reply(200, orgInstallation())
      .get('/app/hook/config')
      .times(2)
      .reply(200, hookConfig())
      .get('/app/hook/deliveries')
      .query({ per_page: '50' })
      .reply(200, [delivery(502, 10), delivery(202, 20)])
      .get('/app/hook/deliveries')
      .query({ per_page: '50' })
      .reply(200, [delivery(202, 60 * 30)]);
    smokeTest({ status: 404 });

    const failing = await runDoctor(['--repo', `${ORG}/hello-world`]);
    const quiet = await runDoctor([]);

    expect(failing.code).toBe(0);
    expect(lineOf(failing, 'Recent deliveries')).toMatch(/^WARN.*1 deliveries of the last day failed with 5xx.*202 ×1, 502 ×1/);
    expect(fixAfter(failing, 'Recent deliveries')).toContain('the redelivery function retries them; see the dashboard');
    expect(lineOf(failing, 'Smoke test')).toMatch(/^WARN\s+7\..*not run yet/);
    expect(fixAfter(failing, 'Smoke test')).toContain('copy examples/smoke-test.yml');
    expect(lineOf(quiet, 'Recent deliveries')).toMatch(/^WARN.*no workflow_job delivery in the last day/);
    expect(fixAfter(quiet, 'Recent deliveries')).toContain('run the smoke test');
  });

  it('reports a failed smoke-test run with its link', async () => {
    healthyGitHub();
    smokeTest(smokeTestRuns('failure'));

    const run = await runDoctor(['--repo', `${ORG}/hello-world`]);

    expect(run.code).toBe(1);
    expect(lineOf(run, 'Smoke test')).toMatch(/^FAIL.*ended in failure: https:\/\/github\.com\/octo-org\/hello-world\/actions\/runs\/30433642/);
    expect(fixAfter(run, 'Smoke test')).toContain('examples/README.md');
  });

  it('checks each configured repository with a repository scope', async () => {
    nock(API_URL)
      .get('/app')
      .reply(200, { ...APP, permissions: { administration: 'write', actions: 'read', metadata: 'read' } })
      .get('/repos/octo-org/hello-world/installation')
      .reply(200, { ...orgInstallation({ permissions: { administration: 'write', actions: 'write', metadata: 'read' } }), id: 7 })
      .get('/repos/octo-org/other/installation')
      .reply(404, { message: 'Not Found' })
      .get('/app/hook/config')
      .reply(200, hookConfig())
      .get('/app/hook/deliveries')
      .query({ per_page: '50' })
      .reply(200, [delivery(202, 1)]);

    const run = await runDoctor(['--config', 'deployed/cdk.json'], { config: cdkJson({ scope: { repositories: ['octo-org/hello-world', 'octo-org/other'] } }) });

    expect(run.readPaths).toEqual(['deployed/cdk.json']);
    expect(lineOf(run, 'Installation and permissions')).toMatch(/^FAIL.*App octo-org-ecs-runners is not installed on repository octo-org\/other$/);
    expect(fixAfter(run, 'Installation and permissions')).toContain('install the App on octo-org/other: https://github.com/apps/octo-org-ecs-runners/installations/new');
  });

  it('fails on a missing stack and skips what needs its outputs, but still checks the App with --app-id', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(new Error('Stack with id Nope does not exist'));

    const run = await runDoctor(['--stack', 'Nope', '--app-id', String(APP_ID)], { config: null });

    expect(run.code).toBe(1);
    expect(lineOf(run, 'Stack outputs')).toMatch(/^FAIL.*stack "Nope" not found/);
    expect(fixAfter(run, 'Stack outputs')).toContain('npx cdk deploy');
    expect(lineOf(run, 'App private key')).toMatch(/^SKIP.*PrivateKeySecretName output \(check 1\)/);
    expect(lineOf(run, 'App id and JWT')).toMatch(/^SKIP.*App 123456: needs the private key/);
  });

  it('fails on a stack that lacks outputs, naming them', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Old', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: DOCTOR_STACK_OUTPUTS.filter((o) => o.OutputKey !== 'DashboardUrl' && o.OutputKey !== 'EventBusName') }] });
    healthyGitHub();

    const run = await runDoctor(['--stack', 'Old']);

    expect(run.code).toBe(1);
    expect(lineOf(run, 'Stack outputs')).toMatch(/^FAIL.*lacks the outputs EventBusName, DashboardUrl/);
    expect(lineOf(run, 'Recent deliveries')).toMatch(/^OK/);
  });

  it('says where the App id comes from when there is no cdk.json and no --app-id', async () => {
    const run = await runDoctor([], { config: null });

    expect(run.code).toBe(1);
    expect(lineOf(run, 'App id and JWT')).toMatch(/^FAIL.*no App id: cannot read cdk\.json/);
    expect(fixAfter(run, 'App id and JWT')).toContain('--app-id N');
  });

  it('rejects a bad --repo or --app-id with exit code 2, and has --help', async () => {
    const repo = await runDoctor(['--repo', 'hello-world']);
    const appId = await runDoctor(['--app-id', 'abc']);
    const help = await runDoctor(['--help']);

    expect(repo.code).toBe(2);
    expect(repo.stderr).toContain('--repo "hello-world" is not OWNER/REPO');
    expect(appId.code).toBe(2);
    expect(appId.stderr).toContain('--app-id "abc"');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npx fleet doctor');
    expect(help.stdout).toContain('--config FILE');
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });
});

describe('redact', () => {
  it('removes keys, tokens and JWTs from any text doctor prints', () => {
    const pem = testKeyPair().privateKey;
    const text = redact(`key ${pem} token ${INSTALLATION_TOKEN} jwt eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2lnbmF0dXJl, and a hint: the .pem file GitHub downloads`);
    expect(text).not.toContain(pem.split('\n')[1]);
    expect(text).not.toContain(INSTALLATION_TOKEN);
    expect(text).not.toContain('eyJ');
    expect(text).toContain('[redacted key]');
    expect(text).toContain('[redacted token]');
    expect(text).toContain('[redacted JWT]');
  });
});
