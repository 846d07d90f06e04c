import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { RunnerFleet } from './runner-fleet';

const nag = (rule: string) => `AwsSolutions::AwsSolutions-${rule}`;

function acknowledge(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: nag(rule), reason });
}

/**
 * cdk-nag (AwsSolutions) findings the fleet accepts, each on the construct it concerns and with its reason.
 * Any other finding fails the synth.
 */
export function acknowledgeNagFindings(fleet: RunnerFleet): void {
  // Findings name resources by logical id: compute them, so the fleet can live under any construct id.
  const jitObjects = `<${logicalId(fleet.jitConfigs.bucket)}.Arn>/jit/*`;
  const claimObjects = `<${logicalId(fleet.jitConfigs.bucket)}.Arn>/claims/*`;
  const slotObjects = `<${logicalId(fleet.jitConfigs.bucket)}.Arn>/slots/*`;
  const assignmentObjects = `<${logicalId(fleet.jitConfigs.bucket)}.Arn>/assignments/*`;
  const interruptionObjects = `<${logicalId(fleet.jitConfigs.bucket)}.Arn>/interrupted/*`;
  const rerunObjects = `<${logicalId(fleet.jitConfigs.bucket)}.Arn>/reruns/*`;
  const rerunReason = 'Who re-runs a job interrupted mid-job is settled with per-runner interruption records and create-only per-job re-run claims; the grant is limited to their prefixes.';
  const basicExecution = 'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';
  const basicExecutionReason = 'The CDK attaches the basic execution policy for CloudWatch Logs; it grants nothing beyond writing logs.';
  const clusterTasks = `arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/<${logicalId(fleet.runnerCluster.cluster)}>/*`;
  const stepsFunctionVersions = `<${logicalId(fleet.gitHubSteps.function)}.Arn>:*`;
  const xray = 'X-Ray tracing: xray:PutTraceSegments and PutTelemetryRecords have no resource-level permissions.';

  acknowledge(fleet.relay, 'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'The CDK attaches the basic execution policy for CloudWatch Logs; it grants nothing beyond writing logs.');
  acknowledge(fleet.relay, 'IAM5[Resource::*]', xray);
  acknowledge(fleet.relay.secret, 'SMG4', 'The webhook secret must change in Secrets Manager and in the GitHub App together; the relay accepts "current" and "previous" so an operator rotates it without downtime (README, "Rotate the webhook secret").');

  acknowledge(fleet.gitHubSteps, 'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'The CDK attaches the basic execution policy for CloudWatch Logs; it grants nothing beyond writing logs.');
  acknowledge(fleet.gitHubSteps, 'IAM5[Resource::*]', `ecs:ListTasks has no resource-level permissions (it is limited to the runner cluster by the ecs:cluster condition). ${xray}`);
  acknowledge(fleet.gitHubSteps, `IAM5[Resource::${jitObjects}]`, 'JIT files are named per runner at run time; the grant is limited to the jit/ prefix of the fleet bucket.');
  acknowledge(fleet.gitHubSteps, `IAM5[Resource::${claimObjects}]`, 'Runner-name claims are named per runner at run time; the grant (write and read, never delete) is limited to the claims/ prefix of the fleet bucket.');
  acknowledge(fleet.gitHubSteps, `IAM5[Resource::${slotObjects}]`, 'Mint token takes and Clean up releases the runner slots of a class (slots/<class>/<index>); the grant is limited to the slots/ prefix.');
  acknowledge(fleet.gitHubSteps, `IAM5[Resource::${assignmentObjects}]`, 'Clean up reads (and deletes) the record of which job a runner took; records are named per runner, so only the assignments/ prefix can be granted.');
  acknowledge(fleet.gitHubSteps, `IAM5[Resource::${interruptionObjects}]`, rerunReason);
  acknowledge(fleet.gitHubSteps, `IAM5[Resource::${rerunObjects}]`, rerunReason);
  acknowledge(fleet.gitHubSteps, `IAM5[Resource::${clusterTasks}]`, 'Clean up stops runner tasks that outlived their state; task ids are only known at run time, so the grant covers the tasks of the runner cluster only.');
  acknowledge(fleet.gitHubSteps.privateKey, 'SMG4', 'GitHub generates App private keys; Secrets Manager cannot rotate them. Rotate by generating a new key in the App settings, putting it here, then deleting the old key (README).');

  acknowledge(fleet.jobStarted, basicExecution, basicExecutionReason);
  acknowledge(fleet.jobStarted, 'IAM5[Resource::*]', xray);
  acknowledge(fleet.jobStarted, `IAM5[Resource::${assignmentObjects}]`, 'The handler records which job each runner took; records are named per runner at run time, so only the assignments/ prefix can be granted.');
  acknowledge(fleet.jobStarted, `IAM5[Resource::${interruptionObjects}]`, rerunReason);
  acknowledge(fleet.jobStarted, `IAM5[Resource::${rerunObjects}]`, rerunReason);
  acknowledge(fleet.jobStarted, `IAM5[Resource::${claimObjects}]`, 'The handler reads the claim of the runner that took a job (read only), to learn which job it was launched for.');

  acknowledge(fleet.sweeper, basicExecution, basicExecutionReason);
  acknowledge(fleet.sweeper, 'IAM5[Resource::*]', `ecs:ListTasks has no resource-level permissions (it is limited to the runner cluster by the ecs:cluster condition). ${xray}`);
  acknowledge(fleet.sweeper, `IAM5[Resource::${jitObjects}]`, 'The sweeper deletes JIT files left by a crashed execution (it lists them, never reads them); only the jit/ prefix is granted.');
  acknowledge(fleet.sweeper, `IAM5[Resource::${slotObjects}]`, 'The sweeper reads and frees runner slots whose runner is gone; only the slots/ prefix is granted.');
  acknowledge(fleet.sweeper, `IAM5[Resource::${claimObjects}]`, 'The sweeper reads runner-name claims (read only) to tell how old a registration is.');
  acknowledge(fleet.sweeper, `IAM5[Resource::${clusterTasks}]`, 'The sweeper describes and stops runner tasks that outlived the longest allowed job; task ids are only known at run time, so the grant covers the tasks of the runner cluster only.');

  if (fleet.redelivery) {
    acknowledge(fleet.redelivery, basicExecution, basicExecutionReason);
    acknowledge(fleet.redelivery, 'IAM5[Resource::*]', xray);
  }

  acknowledge(fleet.lifecycle, 'IAM5[Resource::*]', `Step Functions log delivery (logs:CreateLogDelivery and friends) requires "*". ${xray}`);
  acknowledge(fleet.lifecycle, `IAM5[Resource::${stepsFunctionVersions}]`, 'The CDK grants invoking the GitHub steps function and its versions; it is the only function the state machine can invoke.');
  acknowledge(fleet.lifecycle, `IAM5[Resource::${clusterTasks}]`, 'runTask.sync describes, tags and stops the tasks it starts; task ids are only known at run time, so the grant covers the tasks of the runner cluster only.');

  for (const task of fleet.runnerTasks) {
    acknowledge(task, 'ECS2', 'The runner container gets only non-secret settings (idle timeout, class name, DOCKER_HOST); the JIT config arrives as an S3 environment file override, never as a value.');
    acknowledge(task, 'IAM5[Resource::*]', 'The execution role needs ecr:GetAuthorizationToken, which has no resource-level permissions.');
    acknowledge(task, `IAM5[Resource::${jitObjects}]`, 'The execution role loads the JIT file of the runner it starts; files are named per runner at run time, so only the jit/ prefix can be granted.');
  }

  acknowledge(fleet.runnerCluster, 'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForManagedInstances]', 'The AWS-managed policy is the documented infrastructure role policy for ECS Managed Instances and follows the service as it changes.');
  acknowledge(fleet.runnerCluster, 'IAM5[Resource::*]', 'The Managed Instances instance role needs ECS agent actions (ecs:DiscoverPollEndpoint, ecs:RegisterContainerInstance...) that have no resource-level permissions.');
  acknowledge(fleet.runnerCluster, 'IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:container-instance/*]', 'Managed Instances register container instances whose ids are only known at run time.');

  acknowledge(fleet.events.deadLetterQueue, 'SQS3', 'This queue is itself the dead-letter queue of the rule target.');
  acknowledge(fleet.jitConfigs.bucket, 'S1', 'The bucket holds single-use JIT files for minutes; reads are by the ECS execution role only. Enable CloudTrail S3 data events for an access audit; a log bucket would add cost and an unlogged bucket of its own.');
}

function logicalId(construct: IConstruct): string {
  const resource = construct.node.defaultChild;
  if (!(resource instanceof CfnElement)) throw new Error(`${construct.node.path} has no CloudFormation resource to name`);
  return Stack.of(construct).resolve(resource.logicalId) as string;
}
