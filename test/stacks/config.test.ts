import { FleetConfigError, parseFleetConfig } from '../../stacks/config';
import { testFleetConfig } from './synth';

function expectInvalid(config: unknown, ...fragments: string[]): void {
  let error: unknown;
  try {
    parseFleetConfig(config);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(FleetConfigError);
  for (const fragment of fragments) expect((error as Error).message).toContain(fragment);
}

const withClass = (overrides: Record<string, unknown>): unknown => ({ ...testFleetConfig(), runnerClasses: [{ name: 'small', labels: ['fargate-small'], ...overrides }] });

describe('parseFleetConfig', () => {
  it('fills in the documented defaults', () => {
    const config = parseFleetConfig({ gitHubAppId: 1, scope: { organization: 'octo-org' }, runnerClasses: [{ name: 'small', labels: ['ecs'] }] });

    expect(config).toMatchObject({
      gitHubApiUrl: 'https://api.github.com',
      idleTimeoutSeconds: 300,
      maxJobMinutes: 360,
      maxAttempts: 5,
      onDemandAfterInterruptions: 2,
      runnerNamePrefix: 'ecs',
      logRetentionDays: 30,
      containerInsights: true,
      gitHubConcurrency: 10,
      scope: { organization: 'octo-org', runnerGroupId: 1 },
      runnerClasses: [{ cpu: 2048, memoryMiB: 4096, architecture: 'x86_64', capacity: 'spot', docker: false, ephemeralStorageGiB: 30, maxRunners: 50 }],
    });
    expect(config.network).toBeUndefined();
  });

  it('accepts a repository scope, an existing network and GitHub Enterprise Server', () => {
    const config = parseFleetConfig({
      ...testFleetConfig(),
      gitHubApiUrl: 'https://github.example.com/api/v3',
      scope: { repositories: ['octo-org/hello-world'] },
      network: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'] },
    });

    expect(config.scope).toEqual({ repositories: ['octo-org/hello-world'] });
    expect(config.network).toEqual({ vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'], assignPublicIp: false });
  });

  it('rejects a missing configuration, saying where it belongs', () => {
    expectInvalid(undefined, 'add a "fleet" object to the "context" of cdk.json');
  });

  it('rejects a missing or non-numeric App id', () => {
    expectInvalid({ ...testFleetConfig(), gitHubAppId: 'abc' }, 'gitHubAppId', '"abc"');
    const withoutId: Record<string, unknown> = { ...testFleetConfig() };
    delete withoutId.gitHubAppId;
    expectInvalid(withoutId, 'gitHubAppId');
  });

  it('rejects an API URL that is not https', () => {
    expectInvalid({ ...testFleetConfig(), gitHubApiUrl: 'http://github.example.com/api/v3' }, 'gitHubApiUrl', 'http://github.example.com/api/v3');
  });

  it('rejects a scope that is neither an organization nor repositories', () => {
    expectInvalid({ ...testFleetConfig(), scope: { org: 'octo-org' } }, 'scope');
    expectInvalid({ ...testFleetConfig(), scope: { repositories: ['hello-world'] } }, 'scope', 'owner/repo');
    expectInvalid({ ...testFleetConfig(), scope: { repositories: [] } }, 'scope');
  });

  it('rejects malformed VPC and subnet ids', () => {
    expectInvalid({ ...testFleetConfig(), network: { vpcId: 'my-vpc', subnetIds: ['subnet-0123456789abcdef0'] } }, 'network.vpcId', '"my-vpc"', 'vpc-0123456789abcdef0');
    expectInvalid({ ...testFleetConfig(), network: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['sn-1'] } }, 'network.subnetIds[0]', '"sn-1"');
  });

  it('rejects no runner classes', () => {
    expectInvalid({ ...testFleetConfig(), runnerClasses: [] }, 'runnerClasses', 'at least one runner class');
  });

  it('rejects a class name that cannot name resources', () => {
    expectInvalid(withClass({ name: 'Big_Runner' }), 'runnerClasses[0].name', '"Big_Runner"', 'lower-case');
  });

  it('rejects a class with only generic labels, because it would take every self-hosted job', () => {
    expectInvalid(withClass({ labels: ['self-hosted', 'linux'] }), 'runnerClasses[0].labels', 'only generic labels');
  });

  it('rejects a CPU size Fargate does not offer, listing the ones it does', () => {
    expectInvalid(withClass({ cpu: 3000, memoryMiB: 8192 }), 'runnerClasses[0].cpu', '3000', '256, 512, 1024');
  });

  it('rejects memory that does not fit the CPU on Fargate, with the valid range', () => {
    expectInvalid(withClass({ cpu: 1024, memoryMiB: 16384 }), 'runnerClasses[0].memoryMiB', '16384', '2048 to 8192');
  });

  it('rejects an unknown architecture or capacity', () => {
    expectInvalid(withClass({ architecture: 'aarch64' }), 'runnerClasses[0].architecture', '"aarch64"');
    expectInvalid(withClass({ capacity: 'reserved' }), 'runnerClasses[0].capacity', '"reserved"');
  });

  it('rejects a Docker class without a NAT-routed network, because Managed Instances tasks get no public IP', () => {
    const { network: _omitted, ...withoutNetwork } = testFleetConfig();
    expectInvalid(withoutNetwork, 'network', 'docker', 'NAT');
    expectInvalid({ ...testFleetConfig(), network: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'], assignPublicIp: true } }, 'network', 'assignPublicIp');
  });

  it('rejects duplicate class names', () => {
    expectInvalid(
      { ...testFleetConfig(), runnerClasses: [{ name: 'a', labels: ['one'] }, { name: 'a', labels: ['two'] }] },
      'runnerClasses[1].name',
      'unique',
    );
  });

  it('rejects a class that an earlier class would always shadow', () => {
    expectInvalid(
      { ...testFleetConfig(), runnerClasses: [{ name: 'big', labels: ['ecs', 'large'] }, { name: 'small', labels: ['ecs'] }] },
      'runnerClasses[1].labels',
      '"big"',
      'reorder',
    );
  });

  it('rejects unknown keys, so a typo does not silently fall back to a default', () => {
    expectInvalid({ ...testFleetConfig(), idleTimeout: 60 }, 'idleTimeout');
    expectInvalid(withClass({ memory: 4096 }), 'memory');
  });

  it('rejects out-of-range numbers and odd retention periods', () => {
    expectInvalid({ ...testFleetConfig(), idleTimeoutSeconds: 5 }, 'idleTimeoutSeconds', '5');
    expectInvalid({ ...testFleetConfig(), maxAttempts: 0 }, 'maxAttempts');
    expectInvalid({ ...testFleetConfig(), logRetentionDays: 10 }, 'logRetentionDays', '10', '14, 30');
  });

  it('rejects a private key reference that is not a Secrets Manager ARN', () => {
    expectInvalid({ ...testFleetConfig(), privateKeySecretArn: 'my-key' }, 'privateKeySecretArn', '"my-key"');
  });

  it('lists every problem at once', () => {
    expectInvalid({ ...testFleetConfig(), gitHubAppId: -1, maxAttempts: 0 }, 'gitHubAppId', 'maxAttempts');
  });
});
