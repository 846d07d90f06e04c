import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV, type GitHubScope, type RunnerClassRuntime } from '../statemachine/contracts';
import type { JitConfigStore } from './jit-config-store';
import { LAMBDA_ENTRIES, NodeFunction } from './node-function';
import { grantRunnerTaskControl } from './runner-task-grants';

export interface GitHubStepsProps {
  readonly gitHubAppId: number;
  readonly gitHubApiUrl: string;
  readonly scope: GitHubScope;
  readonly runnerClasses: RunnerClassRuntime[];
  readonly runnerNamePrefix: string;
  readonly maxAttempts: number;
  readonly onDemandAfterInterruptions: number;
  readonly rerunInterruptedJobs: boolean;
  readonly maxRunAttempt: number;
  readonly cluster: ecs.Cluster;
  readonly jitConfigs: JitConfigStore;
  readonly logRetention: logs.RetentionDays;
  /** Reserved concurrency: how many invocations may call GitHub at once. */
  readonly concurrency: number;
  /** @default - a new, empty secret; put the App's private key (PEM) in it after deploying */
  readonly privateKeySecretArn?: string;
}

/**
 * The Lambda behind the lifecycle's GitHub-facing states (Mint token, Clean up). One function serves them so
 * that it is the only thing that can read the App's private key, and so that they share the installation-token
 * cache of a warm container.
 */
export class GitHubSteps extends Construct {
  readonly function: NodeFunction;
  readonly privateKey: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: GitHubStepsProps) {
    super(scope, id);
    this.privateKey = props.privateKeySecretArn
      ? secretsmanager.Secret.fromSecretCompleteArn(this, 'PrivateKey', props.privateKeySecretArn)
      : (new secretsmanager.Secret(this, 'PrivateKey', {
          description: 'GitHub App private key (PEM) for the runner fleet: put it here after deploying (see README)',
          removalPolicy: RemovalPolicy.RETAIN,
        }) as secretsmanager.ISecret); // Secret's optional fields do not satisfy exactOptionalPropertyTypes

    const fn = new NodeFunction(this, 'Function', {
      entry: LAMBDA_ENTRIES.gitHubSteps,
      description: 'Runner lifecycle: mints single-use runner configs and cleans registrations up',
      logRetention: props.logRetention,
      // Room for a call that waits out a whole GitHub secondary-limit minute (75 s at most), and the others.
      timeout: Duration.minutes(3),
      reservedConcurrentExecutions: props.concurrency,
      environment: {
        [ENV.gitHubAppId]: String(props.gitHubAppId),
        [ENV.gitHubApiUrl]: props.gitHubApiUrl,
        [ENV.gitHubScope]: JSON.stringify(props.scope),
        [ENV.privateKeySecretArn]: this.privateKey.secretArn,
        [ENV.runnerClasses]: Stack.of(this).toJsonString(props.runnerClasses),
        [ENV.runnerNamePrefix]: props.runnerNamePrefix,
        [ENV.jitBucketArn]: props.jitConfigs.bucket.bucketArn,
        [ENV.clusterArn]: props.cluster.clusterArn,
        [ENV.maxAttempts]: String(props.maxAttempts),
        [ENV.onDemandAfterInterruptions]: String(props.onDemandAfterInterruptions),
        [ENV.rerunInterruptedJobs]: String(props.rerunInterruptedJobs),
        [ENV.maxRunAttempt]: String(props.maxRunAttempt),
      },
    });
    this.privateKey.grantRead(fn);
    props.jitConfigs.grantWriteAndDelete(fn);
    // Clean up stops a runner task that outlived its state (timeout): only tasks of this cluster.
    grantRunnerTaskControl(this, fn, props.cluster, ['ecs:StopTask']);
    this.function = fn;
  }
}
