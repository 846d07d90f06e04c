// The lifecycle definition exactly as it deploys: synthesized from the real stack, with the CloudFormation
// references (cluster, subnets, function ARNs) replaced by stand-ins, so local runs test what ships.
import { App } from 'aws-cdk-lib';
import type { FleetConfigInput } from '../../stacks/config';
import { FleetStack } from '../../stacks/fleet-stack';

export type Definition = { StartAt: string; States: Record<string, Record<string, unknown>> } & Record<string, unknown>;

export interface SynthesizedFleet {
  definition: Definition;
  template: CloudFormationTemplate;
}

export interface CloudFormationTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

const synthesized = new Map<string, SynthesizedFleet>();

/** Synthesizes the fleet (Lambdas not bundled: the local run calls their code in-process); once per configuration. */
export function synthesizeFleet(fleet: FleetConfigInput): SynthesizedFleet {
  const key = JSON.stringify(fleet);
  const cached = synthesized.get(key);
  if (cached) return cached;
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new FleetStack(app, 'LocalFleet', { fleet });
  const template = app.synth().getStackArtifact(stack.artifactId).template as CloudFormationTemplate;
  const result = { template, definition: lifecycleDefinition(template) };
  synthesized.set(key, result);
  return result;
}

/** The state machine definition of a synthesized template, references resolved to stand-in values. */
export function lifecycleDefinition(template: CloudFormationTemplate): Definition {
  const machines = Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  const [machine] = machines;
  if (machines.length !== 1 || !machine) throw new Error(`Expected one state machine in the template, found ${machines.length}`);
  const text = resolveIntrinsics(machine.Properties?.DefinitionString, template);
  return JSON.parse(text) as Definition;
}

/** A template value (a string, or Fn::Join / Ref / Fn::GetAtt of our resources) as a string with stand-ins. */
export function resolveIntrinsics(value: unknown, template: CloudFormationTemplate): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if ('Fn::Join' in node) {
      const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => resolveIntrinsics(part, template)).join(separator);
    }
    if ('Ref' in node) return standIn(String(node.Ref), template, 'Ref');
    if ('Fn::GetAtt' in node) {
      const [logicalId, attribute] = node['Fn::GetAtt'] as [string, string];
      return standIn(logicalId, template, attribute);
    }
  }
  throw new Error(`Cannot resolve ${JSON.stringify(value)} in the state machine definition`);
}

const ACCOUNT = '000000000000';
const REGION = 'local-1';

/** A recognisable fake for a resource reference: ARNs look like ARNs so the definition validates. */
function standIn(logicalId: string, template: CloudFormationTemplate, attribute: string): string {
  if (logicalId.startsWith('AWS::')) return { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com' }[logicalId] ?? logicalId;
  const type = template.Resources[logicalId]?.Type;
  switch (type) {
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId}`;
    case 'AWS::ECS::Cluster':
      return attribute === 'Ref' ? logicalId : `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${logicalId}`;
    case 'AWS::EC2::Subnet':
      return `subnet-${logicalId.toLowerCase().slice(-17)}`;
    case 'AWS::SecretsManager::Secret':
      return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${logicalId}-AbCdEf`;
    case 'AWS::S3::Bucket':
      return attribute === 'Arn' ? `arn:aws:s3:::${logicalId.toLowerCase()}` : logicalId.toLowerCase();
    case 'AWS::EC2::SecurityGroup':
      return `sg-${logicalId.toLowerCase().slice(-17)}`;
    case 'AWS::StepFunctions::StateMachine':
      // Ref of a state machine is its ARN.
      return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${logicalId}`;
    default:
      return attribute === 'Ref' ? logicalId : `arn:aws:local:${REGION}:${ACCOUNT}:${logicalId}`;
  }
}
