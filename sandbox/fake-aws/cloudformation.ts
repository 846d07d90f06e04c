// CloudFormation behind the same `send(command)` seam the SDK client has: DescribeStacks of the sandbox's fleet stack,
// with the outputs stacks/fleet-stack.ts declares, pointing at the sandbox's resources. Errors are shaped like the
// SDK's (a missing stack is a ValidationError saying it "does not exist").
import { DescribeStacksCommand, type DescribeStacksOutput, type Output } from '@aws-sdk/client-cloudformation';
import { SANDBOX_STATE_MACHINE_ARN } from './step-functions';

export const SANDBOX_STACK_NAME = 'GitHubRunnersOnEcs';
/** The cluster the fake ECS names in its task ARNs (arn:aws:ecs:local-1:000000000000:task/runners/...). */
export const SANDBOX_CLUSTER_NAME = 'runners';
const REGION = 'local-1';

export interface FakeCloudFormationOptions {
  stackName?: string;
  stateMachineArn?: string;
  clusterName?: string;
  /** More outputs, or overrides (e.g. `{ StateMachineArn: undefined }` to test a stack that lacks one). */
  outputs?: Record<string, string | undefined>;
}

export class FakeCloudFormation {
  readonly calls: Record<string, number> = {};
  readonly stackName: string;
  private readonly outputs: Output[];

  constructor(options: FakeCloudFormationOptions = {}) {
    this.stackName = options.stackName ?? SANDBOX_STACK_NAME;
    const stateMachineArn = options.stateMachineArn ?? SANDBOX_STATE_MACHINE_ARN;
    const values: Record<string, string | undefined> = {
      WebhookUrl: 'http://127.0.0.1/webhook',
      WebhookSecretName: 'WebhookSecret',
      PrivateKeySecretName: 'PrivateKeySecret',
      StateMachineArn: stateMachineArn,
      StateMachineConsoleUrl: `https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/statemachines/view/${stateMachineArn}`,
      EventBusName: 'github-runners',
      DeadLetterQueueUrl: `https://sqs.${REGION}.amazonaws.com/000000000000/dead-letters`,
      ClusterName: options.clusterName ?? SANDBOX_CLUSTER_NAME,
      DashboardUrl: `https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#dashboards:name=github-runners`,
      ...options.outputs,
    };
    this.outputs = Object.entries(values).flatMap(([OutputKey, OutputValue]) => (OutputValue === undefined ? [] : [{ OutputKey, OutputValue }]));
  }

  send = async (command: unknown): Promise<unknown> => {
    await Promise.resolve();
    if (!(command instanceof DescribeStacksCommand)) throw new Error(`FakeCloudFormation does not implement ${(command as object).constructor.name}`);
    this.calls.DescribeStacks = (this.calls.DescribeStacks ?? 0) + 1;
    const name = command.input.StackName;
    if (name !== undefined && name !== this.stackName && !name.includes(`:stack/${this.stackName}/`)) {
      throw Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    }
    const response: DescribeStacksOutput = {
      Stacks: [
        {
          StackName: this.stackName,
          StackId: `arn:aws:cloudformation:${REGION}:000000000000:stack/${this.stackName}/00000000-0000-0000-0000-000000000000`,
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(0),
          Outputs: this.outputs.map((output) => ({ ...output })),
        },
      ],
    };
    return response;
  };
}
