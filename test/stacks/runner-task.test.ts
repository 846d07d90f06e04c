import { Match, type Template } from 'aws-cdk-lib/assertions';
import { ENV, RUNNER_CONTAINER_NAME, type RunnerClassRuntime } from '../../statemachine/contracts';
import { DIND_IMAGE, DOCKER_CONTAINER_NAME, DOCKER_HOST, RUNNER_WORK_DIR } from '../../stacks/runner-task';
import { synthFleet } from './synth';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Container = Record<string, unknown> & { Name: string };

let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  ({ template } = synthFleet());
  resources = template.toJSON().Resources as Record<string, Resource>;
});

const taskDefinitions = () => Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ECS::TaskDefinition');
const containersOf = (r: Resource) => r.Properties.ContainerDefinitions as Container[];
const byCompatibility = (compatibility: string) => taskDefinitions().filter(([, r]) => (r.Properties.RequiresCompatibilities as string[]).includes(compatibility));
const envOf = (container: Container) => Object.fromEntries(((container.Environment as { Name: string; Value: string }[] | undefined) ?? []).map((e) => [e.Name, e.Value]));

/** The runner classes exactly as the GitHub steps function receives them. */
function runtimeClasses(): RunnerClassRuntime[] {
  const fn = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Function' && JSON.stringify(r.Properties).includes(ENV.runnerClasses));
  const value = (fn?.Properties.Environment as { Variables: Record<string, unknown> }).Variables[ENV.runnerClasses];
  // Tokens (task definition ARNs, provider names) are Fn::Join parts: keep the literal text, mark the tokens.
  const text = typeof value === 'string' ? value : (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'TOKEN')).join('');
  return JSON.parse(text) as RunnerClassRuntime[];
}

describe('Fargate runner classes', () => {
  it('run the runner alone: no Docker sidecar, no DOCKER_HOST, nothing privileged', () => {
    const fargate = byCompatibility('FARGATE');
    expect(fargate).toHaveLength(2);
    for (const [, task] of fargate) {
      const containers = containersOf(task);
      expect(containers.map((c) => c.Name)).toEqual([RUNNER_CONTAINER_NAME]);
      expect(envOf(containers[0] as Container).DOCKER_HOST).toBeUndefined();
      expect(JSON.stringify(task)).not.toContain('"Privileged":true');
    }
  });

  it('take CPU, memory, ephemeral storage and architecture from the class', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      Cpu: '1024',
      Memory: '2048',
      EphemeralStorage: { SizeInGiB: 30 },
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      Cpu: '4096',
      Memory: '8192',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
  });

  it('give the runner two minutes to stop, an init process, the idle timeout, and non-blocking logs', () => {
    for (const [, task] of taskDefinitions()) {
      const runner = containersOf(task).find((c) => c.Name === RUNNER_CONTAINER_NAME) as Container;
      expect(runner).toMatchObject({
        Essential: true,
        StopTimeout: 120,
        LinuxParameters: { InitProcessEnabled: true },
        LogConfiguration: { LogDriver: 'awslogs', Options: expect.objectContaining({ mode: 'non-blocking' }) as unknown },
      });
      expect(envOf(runner).IDLE_TIMEOUT_SECONDS).toBe('300');
      expect(runner.EnvironmentFiles).toBeUndefined();
    }
  });

  it('launch on Fargate Spot first and Fargate on demand after', () => {
    const small = runtimeClasses().find((c) => c.name === 'small');
    expect(small).toMatchObject({
      capacity: 'spot',
      docker: false,
      spotCapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
      onDemandCapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
    });
  });

  it('never send ARM64 tasks to Fargate Spot, which does not run them', () => {
    const arm = runtimeClasses().find((c) => c.name === 'large-arm');
    expect(arm).toMatchObject({ architecture: 'arm64', spotCapacityProviderStrategy: [], onDemandCapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }] });
  });
});

describe('Docker runner classes (ECS Managed Instances)', () => {
  const dockerTask = (): Resource => {
    const tasks = byCompatibility('MANAGED_INSTANCES');
    expect(tasks).toHaveLength(1);
    return (tasks[0] as [string, Resource])[1];
  };
  const container = (name: string) => containersOf(dockerTask()).find((c) => c.Name === name) as Container;

  it('run the runner with a privileged Docker-in-Docker sidecar from the pinned official image', () => {
    expect(containersOf(dockerTask()).map((c) => c.Name).sort()).toEqual([DOCKER_CONTAINER_NAME, RUNNER_CONTAINER_NAME].sort());
    expect(container(DOCKER_CONTAINER_NAME)).toMatchObject({ Image: DIND_IMAGE, Privileged: true, Essential: false, StopTimeout: 120 });
    expect(DIND_IMAGE).toMatch(/docker:\d+\.\d+\.\d+-dind$/);
  });

  it('let dockerd listen on loopback only, with overlay2, and exit 0 when told to stop', () => {
    const command = (container(DOCKER_CONTAINER_NAME).Command as string[]).join(' ');
    expect(command).toContain(`--host=${DOCKER_HOST}`);
    expect(DOCKER_HOST).toBe('tcp://127.0.0.1:2375');
    expect(command).not.toContain('0.0.0.0');
    expect(command).toContain('--storage-driver=overlay2');
    expect(command).toMatch(/trap '.*exit 0' TERM/);
  });

  it('start the runner only once the daemon is healthy, and point it at the daemon', () => {
    expect(container(DOCKER_CONTAINER_NAME).HealthCheck).toMatchObject({ Command: ['CMD-SHELL', expect.stringContaining(DOCKER_HOST) as unknown] });
    expect(container(RUNNER_CONTAINER_NAME).DependsOn).toEqual([{ ContainerName: DOCKER_CONTAINER_NAME, Condition: 'HEALTHY' }]);
    expect(envOf(container(RUNNER_CONTAINER_NAME)).DOCKER_HOST).toBe(DOCKER_HOST);
  });

  it('share the work folder at the same path in both containers, so bind mounts resolve inside the daemon', () => {
    const workMount = (name: string) => (container(name).MountPoints as { SourceVolume: string; ContainerPath: string }[]).find((m) => m.SourceVolume === 'work');
    expect(workMount(RUNNER_CONTAINER_NAME)?.ContainerPath).toBe(RUNNER_WORK_DIR);
    expect(workMount(DOCKER_CONTAINER_NAME)?.ContainerPath).toBe(RUNNER_WORK_DIR);
    expect(container(DOCKER_CONTAINER_NAME).MountPoints).toContainEqual({ SourceVolume: 'docker-data', ContainerPath: '/var/lib/docker', ReadOnly: false });
    expect(dockerTask().Properties.NetworkMode).toBe('awsvpc');
  });

  it('launch on Managed Instances Spot first and on-demand after, with instances large enough for the class', () => {
    template.hasResourceProperties('AWS::ECS::CapacityProvider', {
      ManagedInstancesProvider: Match.objectLike({
        InstanceLaunchTemplate: Match.objectLike({
          CapacityOptionType: 'SPOT',
          InstanceRequirements: Match.objectLike({ VCpuCount: { Min: 2 }, MemoryMiB: { Min: 8192 } }),
        }),
      }),
    });
    template.hasResourceProperties('AWS::ECS::CapacityProvider', {
      ManagedInstancesProvider: Match.objectLike({ InstanceLaunchTemplate: Match.objectLike({ CapacityOptionType: 'ON_DEMAND' }) }),
    });
    const docker = runtimeClasses().find((c) => c.name === 'docker');
    expect(docker?.docker).toBe(true);
    expect(docker?.spotCapacityProviderStrategy).toEqual([{ CapacityProvider: 'TOKEN', Weight: 1 }]);
    expect(docker?.onDemandCapacityProviderStrategy).toEqual([{ CapacityProvider: 'TOKEN', Weight: 1 }]);
  });
});
