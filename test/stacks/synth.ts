import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { FleetConfigInput } from '../../stacks/config';
import { FleetStack } from '../../stacks/fleet-stack';
import { sandboxFleetConfig } from '../../sandbox/local-fleet';

/** The sandbox's configuration: one class of each kind (Fargate x86, Fargate arm64, Docker) in an existing VPC. */
export function testFleetConfig(overrides: Partial<FleetConfigInput> = {}): FleetConfigInput {
  return sandboxFleetConfig({ gitHubAppId: 123456, ...overrides });
}

/** Synthesizes the fleet stack without bundling the Lambdas (fast) and without the built-in CFN validator. */
export function synthFleet(overrides: Partial<FleetConfigInput> = {}): { stack: FleetStack; template: Template } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new FleetStack(app, 'TestFleet', { fleet: testFleetConfig(overrides) });
  return { stack, template: Template.fromStack(stack) };
}
