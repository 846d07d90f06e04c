import { Annotations, Duration, Size } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { RUNNER_CONTAINER_NAME, type RunnerClassRuntime } from '../statemachine/contracts';
import type { RunnerClassConfig } from './config';
import type { JitConfigStore } from './jit-config-store';
import type { RunnerCluster } from './runner-cluster';

/** The Docker-in-Docker sidecar: the official image from the ECR Public mirror (no Docker Hub pull limits), the same Docker version as the runner image's CLI. */
export const DIND_IMAGE = 'public.ecr.aws/docker/library/docker:29.8.2-dind';
export const DOCKER_CONTAINER_NAME = 'docker';
/** dockerd listens on loopback only: the task's containers share a network namespace, nothing else may reach it. */
export const DOCKER_HOST = 'tcp://127.0.0.1:2375';
/** The runner's work folder; the sidecar mounts it at the same path so bind mounts from job steps resolve. */
export const RUNNER_WORK_DIR = '/home/runner/_work';
/** uid:gid of the image's `runner` user (runner/Dockerfile). */
const RUNNER_UID = '1001:1001';
/** Spot gives two minutes' warning; both containers get all of it to finish. */
const STOP_TIMEOUT = Duration.seconds(120);

export interface RunnerTaskProps {
  readonly runnerClass: RunnerClassConfig;
  readonly image: ecs.ContainerImage;
  readonly cluster: RunnerCluster;
  readonly jitConfigs: JitConfigStore;
  readonly logGroup: logs.ILogGroup;
  readonly idleTimeoutSeconds: number;
}

/**
 * One runner class's ECS task: the runner container alone on Fargate, or the runner with a privileged
 * Docker-in-Docker sidecar on ECS Managed Instances. The task role has no permissions at all; the execution
 * role may read the JIT files (environment files) and nothing else of ours.
 */
export class RunnerTask extends Construct {
  readonly taskDefinition: ecs.TaskDefinition;
  readonly runtime: RunnerClassRuntime;

  constructor(scope: Construct, id: string, props: RunnerTaskProps) {
    super(scope, id);
    const cls = props.runnerClass;
    const runtimePlatform: ecs.RuntimePlatform = {
      cpuArchitecture: cls.architecture === 'arm64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
      operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
    };
    this.taskDefinition = cls.docker
      ? new ecs.TaskDefinition(this, 'TaskDefinition', {
          compatibility: ecs.Compatibility.MANAGED_INSTANCES,
          networkMode: ecs.NetworkMode.AWS_VPC,
          cpu: String(cls.cpu),
          memoryMiB: String(cls.memoryMiB),
          runtimePlatform,
        })
      : new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
          cpu: cls.cpu,
          memoryLimitMiB: cls.memoryMiB,
          ephemeralStorageGiB: cls.ephemeralStorageGiB,
          runtimePlatform,
        });
    props.jitConfigs.grantReadAsEnvironmentFile(this.taskDefinition.obtainExecutionRole());

    const logging = (streamPrefix: string) =>
      ecs.LogDrivers.awsLogs({
        logGroup: props.logGroup,
        streamPrefix,
        // A slow log pipeline must never block or kill a job.
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      });

    const runner = this.taskDefinition.addContainer(RUNNER_CONTAINER_NAME, {
      image: props.image,
      essential: true,
      stopTimeout: STOP_TIMEOUT,
      logging: logging(`${cls.name}/runner`),
      // An init process reaps the orphans job steps leave behind (the entrypoint is PID 1 otherwise).
      linuxParameters: new ecs.LinuxParameters(this, 'RunnerLinuxParameters', { initProcessEnabled: true }),
      environment: {
        IDLE_TIMEOUT_SECONDS: String(props.idleTimeoutSeconds),
        RUNNER_CLASS: cls.name,
        ...(cls.docker ? { DOCKER_HOST } : {}),
      },
    });

    if (cls.docker) this.addDockerSidecar(runner, logging(`${cls.name}/docker`));

    const strategies = cls.docker
      ? props.cluster.managedInstancesStrategies(cls.architecture)
      : props.cluster.fargateStrategies(cls.architecture);
    if (!cls.docker && cls.architecture === 'arm64' && cls.capacity === 'spot') {
      Annotations.of(this).addWarningV2(
        'fleet:arm64-fargate-spot',
        `Runner class "${cls.name}": Fargate Spot does not run ARM64 tasks, so this class runs on on-demand Fargate. Set "capacity": "on-demand" to say so, or "docker": true for Managed Instances Spot.`,
      );
    }
    this.runtime = {
      name: cls.name,
      labels: cls.labels,
      architecture: cls.architecture,
      docker: cls.docker,
      capacity: cls.capacity,
      taskDefinitionArn: this.taskDefinition.taskDefinitionArn,
      spotCapacityProviderStrategy: strategies.spot,
      onDemandCapacityProviderStrategy: strategies.onDemand,
      maxRunners: cls.maxRunners,
    };
  }

  private addDockerSidecar(runner: ecs.ContainerDefinition, logging: ecs.LogDriver): void {
    this.taskDefinition.addVolume({ name: 'work' });
    // dockerd's storage must not be an overlay inside the container's own overlay filesystem.
    this.taskDefinition.addVolume({ name: 'docker-data' });
    const sidecar = this.taskDefinition.addContainer(DOCKER_CONTAINER_NAME, {
      image: ecs.ContainerImage.fromRegistry(DIND_IMAGE),
      // Not essential: when the runner exits the task stops, and dockerd is told to stop with it.
      essential: false,
      privileged: true,
      stopTimeout: STOP_TIMEOUT,
      logging,
      environment: { DOCKER_TLS_CERTDIR: '' },
      entryPoint: ['/bin/sh', '-c'],
      // The work volume starts root-owned: hand it to the runner user. On SIGTERM stop dockerd and exit 0,
      // because a non-zero sidecar exit would fail runTask.sync even when the job passed.
      command: [
        [
          `mkdir -p ${RUNNER_WORK_DIR} && chown ${RUNNER_UID} ${RUNNER_WORK_DIR}`,
          `dockerd-entrypoint.sh dockerd --host=${DOCKER_HOST} --host=unix:///var/run/docker.sock --storage-driver=overlay2 --tls=false & pid=$!`,
          `trap 'kill -TERM $pid; wait $pid; exit 0' TERM INT`,
          'wait $pid',
        ].join('; '),
      ],
      healthCheck: {
        command: ['CMD-SHELL', `docker -H ${DOCKER_HOST} version >/dev/null 2>&1 || exit 1`],
        interval: Duration.seconds(5),
        timeout: Duration.seconds(3),
        retries: 10,
        startPeriod: Duration.seconds(10),
      },
    });
    sidecar.addMountPoints(
      { sourceVolume: 'work', containerPath: RUNNER_WORK_DIR, readOnly: false },
      { sourceVolume: 'docker-data', containerPath: '/var/lib/docker', readOnly: false },
    );
    runner.addMountPoints({ sourceVolume: 'work', containerPath: RUNNER_WORK_DIR, readOnly: false });
    runner.addContainerDependencies({ container: sidecar, condition: ecs.ContainerDependencyCondition.HEALTHY });
  }
}
