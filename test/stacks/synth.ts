import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { FleetConfigInput } from '../../stacks/config';
import { FleetStack } from '../../stacks/fleet-stack';

/** A configuration with one class of each kind (Fargate x86, Fargate arm64, Docker on Managed Instances) in an existing VPC. */
export function testFleetConfig(overrides: Partial<FleetConfigInput> = {}): FleetConfigInput {
  return {
    gitHubAppId: 123456,
    scope: { organization: 'octo-org' },
    // Docker classes need private subnets behind a NAT gateway.
    network: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'] },
    runnerClasses: [
      { name: 'small', labels: ['fargate-small'], cpu: 1024, memoryMiB: 2048 },
      { name: 'large-arm', labels: ['fargate-large', 'arm64'], cpu: 4096, memoryMiB: 8192, architecture: 'arm64' },
      { name: 'docker', labels: ['docker'], cpu: 2048, memoryMiB: 8192, docker: true },
    ],
    ...overrides,
  };
}

/** Synthesizes the fleet stack without bundling the Lambdas (fast) and without the built-in CFN validator. */
export function synthFleet(overrides: Partial<FleetConfigInput> = {}): { stack: FleetStack; template: Template } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new FleetStack(app, 'TestFleet', { fleet: testFleetConfig(overrides) });
  return { stack, template: Template.fromStack(stack) };
}
