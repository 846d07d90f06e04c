// The fleet's resources, found from its stack's outputs: nothing to configure besides the stack name.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

export interface FleetResources {
  stateMachineArn: string;
  clusterName: string | undefined;
  /** The region of the state machine, for console links. */
  region: string;
}

/** The stack is missing or lacks an output the CLI needs: deploy it, or name the right one. */
export class StackOutputsError extends Error {
  override readonly name = 'StackOutputsError';
}

export async function readFleetResources(cloudFormation: CloudFormationClient, stackName: string): Promise<FleetResources> {
  let outputs: Map<string, string>;
  try {
    const response = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = response.Stacks?.[0];
    outputs = new Map((stack?.Outputs ?? []).flatMap((o) => (o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue] as const] : [])));
  } catch (error) {
    if (error instanceof Error && /does not exist/i.test(error.message)) {
      throw new StackOutputsError(`Stack "${stackName}" not found in this account and region. Deploy the fleet (npx cdk deploy), or pass --stack NAME (and --region) for the stack you deployed.`, { cause: error });
    }
    throw error;
  }
  const stateMachineArn = outputs.get('StateMachineArn');
  if (!stateMachineArn) {
    throw new StackOutputsError(`Stack "${stackName}" has no StateMachineArn output: it is not a fleet stack, or it predates the output. Deploy the fleet (npx cdk deploy), or pass --stack NAME for the fleet's stack.`);
  }
  return { stateMachineArn, clusterName: outputs.get('ClusterName'), region: regionOf(stateMachineArn) };
}

/** arn:PARTITION:SERVICE:REGION:... */
export function regionOf(arn: string): string {
  return arn.split(':')[3] ?? '';
}
