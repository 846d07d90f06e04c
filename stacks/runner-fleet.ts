import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { GitHubScope } from '../statemachine/contracts';
import { GENERIC_LABELS, parseFleetConfig, type FleetConfig, type FleetConfigInput } from './config';
import type { GitHubAppAccess } from './github-app-access';
import { GitHubSteps } from './github-steps';
import { JitConfigStore } from './jit-config-store';
import { JobEvents } from './job-events';
import { JobStarted } from './job-started';
import { RunnerCluster, type ManagedInstancesArchitecture } from './runner-cluster';
import { RunnerLifecycle } from './runner-lifecycle';
import { RunnerTask } from './runner-task';
import { Observability } from './observability';
import { Sweeper } from './sweeper';
import { WebhookRedelivery } from './webhook-redelivery';
import { WebhookRelay } from './webhook-relay';

/** Everything a runner needs besides its job: start-up, registration and the idle timeout. */
const RUNNER_OVERHEAD = Duration.minutes(15);

/** The fleet's configuration, exactly as in cdk.json's `fleet` context (see `stacks/config.ts` for every field). */
export type RunnerFleetProps = FleetConfigInput;

/**
 * Ephemeral GitHub Actions runners on ECS: the webhook relay, the event bus and rule, the runner-lifecycle state
 * machine, the cluster and one task definition per runner class. Drop it into any CDK app.
 */
export class RunnerFleet extends Construct {
  readonly config: FleetConfig;
  readonly relay: WebhookRelay;
  readonly events: JobEvents;
  readonly lifecycle: RunnerLifecycle;
  readonly gitHubSteps: GitHubSteps;
  readonly runnerCluster: RunnerCluster;
  readonly runnerTasks: RunnerTask[];
  readonly jitConfigs: JitConfigStore;
  readonly jobStarted: JobStarted;
  /** Absent when redeliveryWindowMinutes is 0. */
  readonly redelivery: WebhookRedelivery | undefined;
  readonly sweeper: Sweeper;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: RunnerFleetProps) {
    super(scope, id);
    const config = parseFleetConfig(props, `the props of RunnerFleet "${id}"`);
    this.config = config;
    const logRetention = config.logRetentionDays as logs.RetentionDays;

    this.runnerCluster = new RunnerCluster(this, 'Runners', {
      ...(config.network ? { network: config.network } : {}),
      containerInsights: config.containerInsights,
      logRetention,
      managedInstances: managedInstancesMinimum(config),
    });
    this.jitConfigs = new JitConfigStore(this, 'JitConfigs');
    const runnerLogs = new logs.LogGroup(this, 'RunnerLogs', { retention: logRetention });
    const images = new Map<string, ecs.ContainerImage>();
    const imageFor = (architecture: 'x86_64' | 'arm64') => {
      let image = images.get(architecture);
      if (!image) {
        // Built at deploy time by the deploying machine's Docker; synth only copies runner/.
        const asset = new ecrAssets.DockerImageAsset(this, `RunnerImage-${architecture}`, {
          directory: path.join(__dirname, '..', 'runner'),
          platform: architecture === 'arm64' ? ecrAssets.Platform.LINUX_ARM64 : ecrAssets.Platform.LINUX_AMD64,
        });
        image = ecs.ContainerImage.fromDockerImageAsset(asset);
        images.set(architecture, image);
      }
      return image;
    };
    this.runnerTasks = config.runnerClasses.map(
      (runnerClass) =>
        new RunnerTask(this, `Class-${runnerClass.name}`, {
          runnerClass,
          image: imageFor(runnerClass.architecture),
          cluster: this.runnerCluster,
          jitConfigs: this.jitConfigs,
          logGroup: runnerLogs,
          idleTimeoutSeconds: config.idleTimeoutSeconds,
        }),
    );

    const gitHubScope: GitHubScope =
      'organization' in config.scope
        ? { type: 'organization', organization: config.scope.organization, runnerGroupId: config.scope.runnerGroupId }
        : { type: 'repositories', repositories: config.scope.repositories };
    this.gitHubSteps = new GitHubSteps(this, 'GitHubSteps', {
      gitHubAppId: config.gitHubAppId,
      gitHubApiUrl: config.gitHubApiUrl,
      scope: gitHubScope,
      runnerClasses: this.runnerTasks.map((task) => task.runtime),
      runnerNamePrefix: config.runnerNamePrefix,
      maxAttempts: config.maxAttempts,
      onDemandAfterInterruptions: config.onDemandAfterInterruptions,
      rerunInterruptedJobs: config.rerunInterruptedJobs,
      maxRunAttempt: config.maxRunAttempt,
      cluster: this.runnerCluster.cluster,
      jitConfigs: this.jitConfigs,
      logRetention,
      concurrency: config.gitHubConcurrency,
      ...(config.privateKeySecretArn ? { privateKeySecretArn: config.privateKeySecretArn } : {}),
    });

    const runnerTimeout = Duration.minutes(config.maxJobMinutes).plus(RUNNER_OVERHEAD);
    this.lifecycle = new RunnerLifecycle(this, 'Lifecycle', {
      gitHubSteps: this.gitHubSteps.function,
      runnerCluster: this.runnerCluster,
      taskDefinitions: this.runnerTasks.map((task) => task.taskDefinition),
      runnerTimeout,
      capWait: Duration.minutes(config.capWaitMinutes),
      logRetention,
    });

    const gitHubApp: GitHubAppAccess = { appId: config.gitHubAppId, apiUrl: config.gitHubApiUrl, privateKey: this.gitHubSteps.privateKey };
    this.events = new JobEvents(this, 'Events', { markerLabels: markerLabels(config) });
    this.events.startLifecycleOnQueuedJobs(this.lifecycle.stateMachine);
    this.jobStarted = new JobStarted(this, 'JobStarted', {
      events: this.events,
      stateMachine: this.lifecycle.stateMachine,
      jitConfigs: this.jitConfigs,
      gitHubApp,
      runnerNamePrefix: config.runnerNamePrefix,
      rerunInterruptedJobs: config.rerunInterruptedJobs,
      maxRunAttempt: config.maxRunAttempt,
      logRetention,
    });
    this.relay = new WebhookRelay(this, 'WebhookRelay', { eventBus: this.events.bus, logRetention });
    this.sweeper = new Sweeper(this, 'Sweeper', {
      gitHubApp,
      scope: gitHubScope,
      runnerNamePrefix: config.runnerNamePrefix,
      cluster: this.runnerCluster.cluster,
      jitConfigs: this.jitConfigs,
      // Past the state's own timeout, Clean up has had its chance to stop the task.
      maxTaskAge: runnerTimeout.plus(Duration.minutes(15)),
      every: Duration.minutes(config.sweepEveryMinutes),
      logRetention,
    });
    this.redelivery =
      config.redeliveryWindowMinutes > 0
        ? new WebhookRedelivery(this, 'WebhookRedelivery', {
            gitHubApp,
            windowMinutes: config.redeliveryWindowMinutes,
            logRetention,
          })
        : undefined;
    this.observability = new Observability(this, 'Observability', {
      stateMachine: this.lifecycle.stateMachine,
      events: this.events,
      runnerClasses: config.runnerClasses.map((cls) => cls.name),
      queueToStartThreshold: Duration.seconds(config.queueToStartAlarmSeconds),
      rateLimitUsedPercent: 80,
      lifecycleLogGroups: [this.gitHubSteps.function.logGroup, this.jobStarted.function.logGroup],
      queryPrefix: `GitHubRunners-${this.node.id}`,
      ...(config.alarmTopicArn ? { alarmTopicArn: config.alarmTopicArn } : {}),
    });
  }
}

/** The labels that make a job ours: every class's labels but the ones GitHub gives every self-hosted runner. */
export function markerLabels(config: FleetConfig): string[] {
  const generic = new Set<string>(GENERIC_LABELS);
  const labels = config.runnerClasses.flatMap((cls) => cls.labels).filter((label) => !generic.has(label.toLowerCase()));
  return [...new Set(labels)];
}

function managedInstancesMinimum(config: FleetConfig): Partial<Record<ManagedInstancesArchitecture, { vCpus: number; memoryMiB: number }>> {
  const minimum: Partial<Record<ManagedInstancesArchitecture, { vCpus: number; memoryMiB: number }>> = {};
  for (const cls of config.runnerClasses.filter((c) => c.docker)) {
    const current = minimum[cls.architecture] ?? { vCpus: 1, memoryMiB: 1024 };
    minimum[cls.architecture] = {
      vCpus: Math.max(current.vCpus, Math.ceil(cls.cpu / 1024)),
      memoryMiB: Math.max(current.memoryMiB, cls.memoryMiB),
    };
  }
  return minimum;
}
