import { parseCommand, UsageError, webRootFor } from '../../github-app/arguments';

const WEBHOOK_URL = 'https://abcdefghijklmnop.lambda-url.eu-west-1.on.aws/';

function usageErrorOf(argv: string[]): string {
  try {
    parseCommand(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new Error(`expected a UsageError for ${argv.join(' ')}`);
}

describe('parseCommand: step 1, creating the App', () => {
  it('creates an organization-scoped App in the organization, with a name after it, by default', () => {
    // WHEN only the webhook URL and the organization are given
    const command = parseCommand(['--webhook-url', WEBHOOK_URL, '--org', 'octo-org']);

    // THEN the App asks for organization runners, in octo-org, on github.com
    expect(command).toEqual({
      kind: 'create',
      scope: 'organization',
      webhookUrl: WEBHOOK_URL,
      org: 'octo-org',
      rerun: false,
      name: 'octo-org ECS runners',
      out: undefined,
      apiUrl: 'https://api.github.com',
      webRoot: 'https://github.com',
      privateKeySecret: undefined,
      webhookSecret: undefined,
    });
  });

  it('reads --repositories, --rerun, --name, --out and the secret names', () => {
    const command = parseCommand([
      '--webhook-url', WEBHOOK_URL, '--repositories', '--rerun', '--name', 'my runners', '--out', '/tmp/page.html',
      '--private-key-secret', 'FleetPrivateKey', '--webhook-secret', 'FleetWebhookSecret',
    ]);

    expect(command).toMatchObject({ kind: 'create', scope: 'repositories', rerun: true, name: 'my runners', org: undefined, out: '/tmp/page.html', privateKeySecret: 'FleetPrivateKey', webhookSecret: 'FleetWebhookSecret' });
  });

  it('creates the App on the GitHub Enterprise Server host of --api-url', () => {
    const command = parseCommand(['--webhook-url', WEBHOOK_URL, '--api-url', 'https://ghes.example.com/api/v3/']);

    expect(command).toMatchObject({ apiUrl: 'https://ghes.example.com/api/v3', webRoot: 'https://ghes.example.com' });
  });

  it.each([
    [['--webhook-url', 'http://abc.lambda-url.eu-west-1.on.aws/'], /--webhook-url .* must be https.*WebhookUrl/],
    [['--webhook-url', 'not a url'], /--webhook-url "not a url" is not a URL: use the stack's WebhookUrl output/],
    [['--webhook-url', WEBHOOK_URL, '--org', 'octo org'], /--org "octo org" is not a GitHub organization login/],
    [['--webhook-url', WEBHOOK_URL, '--name', 'x'.repeat(35)], /--name ".*" must be 1 to 34 characters/],
    [['--webhook-url', WEBHOOK_URL, '--api-url', 'https://example.com/'], /--api-url https:\/\/example.com is neither/],
    [['--webhook-url', WEBHOOK_URL, '--out-dir', '/tmp'], /--out-dir belongs to step 2/],
    [['--org', 'octo-org'], /Nothing to do: pass --webhook-url URL/],
    [[], /Nothing to do/],
  ])('rejects %j, saying what was wrong and how to fix it', (argv, message) => {
    expect(usageErrorOf(argv)).toMatch(message);
  });
});

describe('parseCommand: step 2, trading the code', () => {
  it('reads the code, the secret names and the output directory', () => {
    const command = parseCommand(['--exchange', 'a180b1a3d263c81bc6441d7b990bae27d4c10679', '--private-key-secret', 'FleetPrivateKey', '--webhook-secret', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:FleetWebhook-AbCdEf', '--out-dir', 'secrets']);

    expect(command).toEqual({
      kind: 'exchange',
      code: 'a180b1a3d263c81bc6441d7b990bae27d4c10679',
      apiUrl: 'https://api.github.com',
      privateKeySecret: 'FleetPrivateKey',
      webhookSecret: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:FleetWebhook-AbCdEf',
      outDir: 'secrets',
    });
  });

  it('takes the code out of the whole address GitHub redirected to', () => {
    const command = parseCommand(['--exchange', 'http://localhost:8765/github-app-created?code=abc123&state=x', '--private-key-secret', 'Key']);

    expect(command).toMatchObject({ kind: 'exchange', code: 'abc123' });
  });

  it('accepts plain http only for a server on this machine', () => {
    expect(parseCommand(['--exchange', 'abc', '--private-key-secret', 'Key', '--api-url', 'http://127.0.0.1:8080'])).toMatchObject({ apiUrl: 'http://127.0.0.1:8080' });
    expect(usageErrorOf(['--exchange', 'abc', '--private-key-secret', 'Key', '--api-url', 'http://ghes.example.com/api/v3'])).toMatch(/must be https \(the answer holds the App's private key\)/);
  });

  it.each([
    [['--exchange', 'abc'], /--exchange needs --private-key-secret NAME: the stack's PrivateKeySecretName output/],
    [['--exchange', 'abc', '--private-key-secret', 'Key', '--org', 'octo-org'], /--org belongs to step 1 .*leave it out/],
    [['--exchange', 'abc', '--private-key-secret', 'Key', '--rerun', '--repositories'], /--repositories, --rerun belong to step 1/],
    [['--exchange', 'not a code!', '--private-key-secret', 'Key'], /--exchange takes the code GitHub put in the address/],
    [['--exchange', 'http://localhost:8765/github-app-created', '--private-key-secret', 'Key'], /an address without a code parameter/],
    [['--exchange', 'abc', '--private-key-secret', 'my key; rm -rf ~'], /--private-key-secret ".*" is not a Secrets Manager secret name or ARN/],
  ])('rejects %j, saying what was wrong and how to fix it', (argv, message) => {
    expect(usageErrorOf(argv)).toMatch(message);
  });
});

describe('parseCommand: the command line itself', () => {
  it('answers --help and -h with the help', () => {
    expect(parseCommand(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommand(['-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--webhook-url'], '--webhook-url needs a value, e.g. --webhook-url VALUE.'],
    [['--org', '--repositories'], '--org needs a value, e.g. --org VALUE.'],
    [['--rerun=yes'], '--rerun takes no value: write --rerun alone.'],
    [['--organisation', 'octo-org'], 'Unknown option --organisation: the options are listed in --help.'],
    [['octo-org'], 'Unexpected argument "octo-org": every value follows its option, e.g. --org octo-org.'],
  ])('rejects %j with %j', (argv, message) => {
    expect(usageErrorOf(argv)).toBe(message);
  });
});

describe('webRootFor', () => {
  it.each([
    ['https://api.github.com', 'https://github.com'],
    ['https://api.octo.ghe.com', 'https://octo.ghe.com'],
    ['https://ghes.example.com/api/v3', 'https://ghes.example.com'],
  ])('serves %s\'s web pages from %s', (apiUrl, webRoot) => {
    expect(webRootFor(apiUrl)).toBe(webRoot);
  });
});
