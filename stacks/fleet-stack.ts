import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { FleetConfigInput } from './config';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import { RunnerFleet } from './runner-fleet';

export interface FleetStackProps extends StackProps {
  readonly fleet: FleetConfigInput;
}

/** The deployable app: the fleet, and the outputs a person needs to finish the GitHub App setup. */
export class FleetStack extends Stack {
  readonly fleet: RunnerFleet;

  constructor(scope: Construct, id: string, props: FleetStackProps) {
    super(scope, id, props);
    this.fleet = new RunnerFleet(this, 'Fleet', props.fleet);
    acknowledgeNagFindings(this.fleet);

    const stateMachine = this.fleet.lifecycle.stateMachine;
    const outputs: Record<string, { value: string; description: string }> = {
      WebhookUrl: { value: this.fleet.relay.url, description: 'The GitHub App webhook URL' },
      WebhookSecretName: { value: this.fleet.relay.secret.secretName, description: 'Secrets Manager secret whose "current" field is the GitHub App webhook secret' },
      PrivateKeySecretName: { value: this.fleet.gitHubSteps.privateKey.secretName, description: 'Put the GitHub App private key (PEM) in this secret' },
      StateMachineArn: { value: stateMachine.stateMachineArn, description: 'Runner lifecycle state machine: start executions here for manual launches' },
      StateMachineConsoleUrl: {
        value: `https://${this.region}.console.aws.amazon.com/states/home?region=${this.region}#/statemachines/view/${stateMachine.stateMachineArn}`,
        description: 'The runner lifecycle in the Step Functions console',
      },
      EventBusName: { value: this.fleet.events.bus.eventBusName, description: 'Put workflow_job events here (source github.com) from any relay' },
      DeadLetterQueueUrl: { value: this.fleet.events.deadLetterQueue.queueUrl, description: 'Events the rule could not deliver to the state machine' },
      ClusterName: { value: this.fleet.runnerCluster.cluster.clusterName, description: 'ECS cluster of the runner tasks' },
      DashboardUrl: {
        value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${this.fleet.observability.dashboard.dashboardName}`,
        description: 'The fleet dashboard: queue-to-start, start-up, jobs served, interruptions, failures, leftovers, rate limits',
      },
    };
    for (const [id, output] of Object.entries(outputs)) new CfnOutput(this, id, output);
  }
}
