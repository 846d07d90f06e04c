import { Stack } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/**
 * Lets a function find runner tasks (ListTasks, which has no resource-level permission: limited to the cluster by
 * the ecs:cluster condition) and act on them (`taskActions`, e.g. StopTask), only on tasks of the runner cluster.
 */
export function grantRunnerTaskControl(scope: Construct, grantee: iam.IGrantable, cluster: Pick<ecs.ICluster, 'clusterArn' | 'clusterName'>, taskActions: string[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['ecs:ListTasks'], resources: ['*'], conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } } }),
  );
  grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: taskActions, resources: [tasksOfCluster(scope, cluster)] }));
}

/** The ARN pattern of every task of the cluster (task ids are only known at run time). */
export function tasksOfCluster(scope: Construct, cluster: Pick<ecs.ICluster, 'clusterArn' | 'clusterName'>): string {
  return Stack.of(scope).formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster.clusterName}/*` });
}
