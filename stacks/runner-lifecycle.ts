import { Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { buildLifecycleDefinition } from '../statemachine/definition';
import type { RunnerCluster } from './runner-cluster';
import { tasksOfCluster } from './runner-task-grants';

export interface RunnerLifecycleProps {
  readonly gitHubSteps: lambda.IFunction;
  readonly runnerCluster: RunnerCluster;
  readonly taskDefinitions: ecs.TaskDefinition[];
  readonly runnerTimeout: Duration;
  readonly capWait: Duration;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The runner-lifecycle state machine (Standard): one execution per runner request, readable in the console as
 * the audit of that runner's life. Logs leave execution data out; X-Ray traces every execution.
 */
export class RunnerLifecycle extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: RunnerLifecycleProps) {
    super(scope, id);
    const { cluster, securityGroup, subnets, assignPublicIp } = props.runnerCluster;
    const definition = buildLifecycleDefinition(this, {
      gitHubSteps: props.gitHubSteps,
      clusterArn: cluster.clusterArn,
      subnetIds: subnets.map((s) => s.subnetId),
      securityGroupIds: [securityGroup.securityGroupId],
      assignPublicIp,
      runnerTimeout: props.runnerTimeout,
      capWait: props.capWait,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      comment: 'The life of one ephemeral GitHub Actions runner: mint, run, clean up.',
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'Logs', { retention: props.logRetention }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    this.grantRunnerTasks(props.taskDefinitions, cluster);
  }

  /** What `ecs:runTask.sync` needs, limited to our task definitions and our cluster. */
  private grantRunnerTasks(taskDefinitions: ecs.TaskDefinition[], cluster: ecs.Cluster): void {
    const stack = Stack.of(this);
    const role = this.stateMachine.role;
    for (const taskDefinition of taskDefinitions) taskDefinition.grantRun(role);
    const clusterTasks = tasksOfCluster(this, cluster);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:StopTask', 'ecs:DescribeTasks'], resources: [clusterTasks] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:TagResource'],
        resources: [clusterTasks],
        conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
      }),
    );
    // .sync learns that the task stopped through this managed rule.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForECSTaskRule' })],
      }),
    );
  }
}
