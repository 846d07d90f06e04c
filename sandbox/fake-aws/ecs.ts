// A simulated ECS: `runTask.sync` as Step Functions sees it, with tasks that behave like the runner image (load
// the JIT environment file, connect to GitHub, take a job, run it, exit) and can be interrupted, throttled or
// refused for capacity. ListTasks, DescribeTasks and StopTask answer Clean up and the sweeper through the same
// `send` seam the Lambdas use; `startLeftoverTask` puts in a task that outlived its execution.
import { DescribeTasksCommand, ListTasksCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { JIT_CONFIG_VARIABLE, RUNNER_CONTAINER_NAME, RUNNER_EXIT_CODE } from '../../statemachine/contracts';
import type { FakeGitHub, RunnerSession } from '../fake-github';
import { ServiceError, TaskFailedError, type RunTaskParameters } from '../lifecycle/local-execution';
import type { FakeS3 } from './s3';

/** What happens to one task; the planner decides per launch (seeded randomness, or a test's script). */
export type TaskPlan =
  | { kind: 'normal' }
  | { kind: 'throttled' }
  | { kind: 'no-capacity' }
  | { kind: 'fails-to-start'; reason: string }
  | { kind: 'interrupted-before-job'; afterMs: number; runnerExitCode?: number }
  | { kind: 'interrupted-during-job'; afterFraction: number }
  | { kind: 'crashes'; exitCode: number }
  /** The entrypoint hangs after loading the JIT file, before the runner connects: only StopTask ends the task. */
  | { kind: 'hangs' };

export interface LaunchInfo {
  runnerName: string;
  capacityProvider: string;
  stateName: string;
  /** How many tasks were launched before this one (0 for the first). */
  index: number;
}

export type TaskPlanner = (launch: LaunchInfo) => TaskPlan;

export interface FakeEcsOptions {
  github: FakeGitHub;
  s3: FakeS3;
  planner?: TaskPlanner;
  /** Time from RunTask to the runner process starting. @default 5 */
  startDelayMs?: number;
  /** The entrypoint's idle timeout. @default 2000 */
  idleTimeoutMs?: number;
  /** Wall-clock milliseconds per simulated job millisecond. @default 1 */
  timeScale?: number;
  now?: () => number;
}

/** One task's life, for timelines and leftover checks. */
export interface TaskRecord {
  taskArn: string;
  /** When RunTask was called. */
  requestedAtMs: number;
  runnerName: string;
  capacityProvider: string;
  startedAtMs: number;
  /** When the containers started (ECS `startedAt`), after provisioning; null if they never did. */
  containersStartedAtMs: number | null;
  stoppedAtMs: number | null;
  stopCode: string | null;
  runnerExitCode: number | null;
  jobId: number | null;
}

const CLUSTER_ARN = 'arn:aws:ecs:local-1:000000000000:cluster/runners';
/** ECS's limits: ListTasks pages of at most 100 ARNs, DescribeTasks at most 100 tasks per call. */
const MAX_RESULTS = 100;
const TASK_DEFINITION_ARN = 'arn:aws:ecs:local-1:000000000000:task-definition/runner:1';

export class FakeEcs {
  readonly tasks: TaskRecord[] = [];
  readonly calls: Record<string, number> = {};
  private readonly stopRequests = new Map<string, () => void>();
  /** Tasks StopTask was called for (their desired status is STOPPED), with the reason it gave. */
  private readonly stopReasons = new Map<string, string>();
  private readonly launchDetails = new Map<string, { taskDefinitionArn: string; tags: RunTaskParameters['Tags'] }>();
  private launched = 0;
  private readonly now: () => number;
  /** Decides what happens to each task; replace it to script a scenario. */
  planner: TaskPlanner;

  constructor(private readonly options: FakeEcsOptions) {
    this.now = options.now ?? Date.now;
    this.planner = options.planner ?? (() => ({ kind: 'normal' }));
  }

  /** Tasks that have not stopped yet. */
  running(): TaskRecord[] {
    return this.tasks.filter((task) => task.stoppedAtMs === null);
  }

  /**
   * A runner task that runs until StopTask, outside any execution: what a crashed or stopped execution leaves
   * behind. `createdAtMs` backdates it.
   */
  startLeftoverTask(runnerName: string, options: { createdAtMs?: number; capacityProvider?: string } = {}): TaskRecord {
    const createdAtMs = options.createdAtMs ?? this.now();
    const record = this.newRecord(runnerName, options.capacityProvider ?? 'FARGATE_SPOT', createdAtMs);
    record.startedAtMs = createdAtMs;
    this.stopRequests.set(record.taskArn, () => {
      record.stoppedAtMs = this.now();
      record.stopCode = 'UserInitiated';
      record.runnerExitCode = RUNNER_EXIT_CODE.terminated;
      this.stopRequests.delete(record.taskArn);
    });
    return record;
  }

  /** What `ecs:runTask.sync` does: start the task, wait until it stops, return it as DescribeTasks would. */
  runTaskSync = async (parameters: RunTaskParameters, stateName: string): Promise<unknown> => {
    this.count('RunTask');
    const requestedAtMs = this.now();
    const capacityProvider = parameters.CapacityProviderStrategy[0]?.CapacityProvider ?? 'FARGATE';
    const runnerName = parameters.StartedBy;
    const plan = this.planner({ runnerName, capacityProvider, stateName, index: this.launched });
    this.launched += 1;

    if (plan.kind === 'throttled') throw new ServiceError('ECS.AmazonECSException', 'Rate exceeded (Service: AmazonECS; Status Code: 400; Error Code: ThrottlingException)');
    if (plan.kind === 'no-capacity') {
      throw new ServiceError('AmazonECS.Unknown', JSON.stringify({ Failures: [{ Arn: parameters.TaskDefinition, Reason: 'Capacity is unavailable at this time. Please try again later or in a different availability zone' }], Tasks: [] }));
    }

    const record = this.newRecord(runnerName, capacityProvider, requestedAtMs);
    this.launchDetails.set(record.taskArn, { taskDefinitionArn: parameters.TaskDefinition, tags: parameters.Tags });
    const stopped = new Promise<'stopped'>((resolve) => this.stopRequests.set(record.taskArn, () => resolve('stopped')));

    // Every timer of this task is cleared when it stops, so nothing keeps the process alive afterwards.
    const timers = new Set<NodeJS.Timeout>();
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, Math.max(0, ms * (this.options.timeScale ?? 1)));
        timers.add(timer);
      });
    const finish = (stopCode: string, runnerExitCode: number, reason: string) => {
      for (const timer of timers) clearTimeout(timer);
      record.stoppedAtMs = this.now();
      record.stopCode = stopCode;
      record.runnerExitCode = runnerExitCode;
      this.stopRequests.delete(record.taskArn);
      const task = describeTask(parameters, record, reason);
      // runTask.sync fails when a container exits non-zero, with the task as the cause.
      if (runnerExitCode !== 0 || stopCode === 'TaskFailedToStart') throw new TaskFailedError(task);
      return task;
    };

    await sleep(this.options.startDelayMs ?? 5);
    if (plan.kind === 'fails-to-start') return finish('TaskFailedToStart', 1, plan.reason);
    record.containersStartedAtMs = this.now();

    const environmentFile = parameters.Overrides.ContainerOverrides.find((c) => c.Name === RUNNER_CONTAINER_NAME)?.EnvironmentFiles?.[0]?.Value;
    const jitConfig = environmentFile ? readJitConfig(this.options.s3, environmentFile) : undefined;
    if (!jitConfig) return finish('TaskFailedToStart', 1, `ResourceInitializationError: failed to download env files: ${environmentFile ?? 'none'}`);

    // The entrypoint failed before the runner connected (Docker never ready, a bad setting): exit 11 or 12.
    if (plan.kind === 'crashes') return finish('EssentialContainerExited', plan.exitCode, 'Essential container in task exited');
    if (plan.kind === 'hangs') {
      await stopped;
      return finish('UserInitiated', RUNNER_EXIT_CODE.terminated, this.stopReasons.get(record.taskArn) ?? 'Task stopped');
    }
    if (plan.kind === 'interrupted-before-job') {
      // Spot reclaimed the capacity while the runner was still starting: it never connected to GitHub.
      await Promise.race([sleep(plan.afterMs), stopped]);
      return finish('SpotInterruption', plan.runnerExitCode ?? RUNNER_EXIT_CODE.terminated, 'Your Spot Task was interrupted.');
    }

    let session: RunnerSession;
    try {
      session = this.options.github.connectRunner(jitConfig, { architecture: 'x64' });
    } catch {
      return finish('EssentialContainerExited', RUNNER_EXIT_CODE.ok, 'Essential container in task exited');
    }

    const idle = sleep(this.options.idleTimeoutMs ?? 2_000).then(() => 'idle' as const);
    const job = session.nextJob().then(
      (assigned) => assigned,
      () => 'ended' as const,
    );
    const first = await Promise.race([job, idle, stopped]);
    if (first === 'stopped') {
      session.disconnect();
      return finish('UserInitiated', RUNNER_EXIT_CODE.terminated, 'Stopped by the runner lifecycle clean-up');
    }
    if (first === 'idle' || first === 'ended') {
      session.disconnect();
      return finish('EssentialContainerExited', RUNNER_EXIT_CODE.ok, 'Essential container in task exited');
    }

    record.jobId = first.id;
    const jobMs = first.durationMs;
    if (plan.kind === 'interrupted-during-job') {
      const outcome = await Promise.race([sleep(jobMs * plan.afterFraction).then(() => 'interrupted' as const), stopped]);
      session.disconnect();
      return outcome === 'interrupted'
        ? finish('SpotInterruption', RUNNER_EXIT_CODE.terminated, 'Your Spot Task was interrupted.')
        : finish('UserInitiated', RUNNER_EXIT_CODE.terminated, 'Stopped by the runner lifecycle clean-up');
    }
    const outcome = await Promise.race([sleep(jobMs).then(() => 'done' as const), stopped]);
    if (outcome === 'stopped') {
      session.disconnect();
      return finish('UserInitiated', RUNNER_EXIT_CODE.terminated, 'Stopped by the runner lifecycle clean-up');
    }
    session.completeJob('success');
    return finish('EssentialContainerExited', RUNNER_EXIT_CODE.ok, 'Essential container in task exited');
  };

  /** ListTasks (by startedBy and desired status, in pages), DescribeTasks and StopTask: what Clean up and the sweeper call. */
  send = async (command: unknown): Promise<unknown> => {
    await Promise.resolve();
    if (command instanceof ListTasksCommand) {
      this.count('ListTasks');
      const { startedBy, desiredStatus = 'RUNNING', nextToken, maxResults } = command.input;
      const arns = this.tasks
        .filter((task) => this.desiredStatusOf(task) === desiredStatus && (startedBy === undefined || task.runnerName === startedBy))
        .map((task) => task.taskArn);
      const start = nextToken === undefined ? 0 : Number(nextToken);
      const end = start + Math.min(maxResults ?? MAX_RESULTS, MAX_RESULTS);
      return { taskArns: arns.slice(start, end), ...(end < arns.length ? { nextToken: String(end) } : {}) };
    }
    if (command instanceof DescribeTasksCommand) {
      this.count('DescribeTasks');
      const requested = command.input.tasks ?? [];
      if (requested.length > MAX_RESULTS) throw ecsError('InvalidParameterException', `Tasks cannot be longer than ${MAX_RESULTS} elements.`);
      const found = requested.map((arn) => this.tasks.find((task) => task.taskArn === arn));
      return {
        tasks: found.filter((task) => task !== undefined).map((task) => this.describe(task)),
        failures: requested.filter((_arn, index) => found[index] === undefined).map((arn) => ({ arn, reason: 'MISSING' })),
      };
    }
    if (command instanceof StopTaskCommand) {
      this.count('StopTask');
      const task = this.tasks.find((t) => t.taskArn === command.input.task);
      if (!task) throw ecsError('InvalidParameterException', 'The referenced task was not found.');
      if (task.stoppedAtMs === null && !this.stopReasons.has(task.taskArn)) {
        this.stopReasons.set(task.taskArn, command.input.reason ?? 'Task stopped by user');
        this.stopRequests.get(task.taskArn)?.();
      }
      return { task: this.describe(task) };
    }
    throw new Error(`FakeEcs does not implement ${(command as object).constructor.name}`);
  };

  private newRecord(runnerName: string, capacityProvider: string, requestedAtMs: number): TaskRecord {
    const record: TaskRecord = {
      taskArn: `arn:aws:ecs:local-1:000000000000:task/runners/${(this.tasks.length + 1).toString(16).padStart(32, '0')}`,
      requestedAtMs,
      runnerName,
      capacityProvider,
      startedAtMs: this.now(),
      containersStartedAtMs: null,
      stoppedAtMs: null,
      stopCode: null,
      runnerExitCode: null,
      jobId: null,
    };
    this.tasks.push(record);
    return record;
  }

  /** STOPPED as soon as StopTask was called, as in ECS, while the task may still be stopping. */
  private desiredStatusOf(task: TaskRecord): 'RUNNING' | 'STOPPED' {
    return task.stoppedAtMs === null && !this.stopReasons.has(task.taskArn) ? 'RUNNING' : 'STOPPED';
  }

  /** The task in the SDK's camelCase shape, as DescribeTasks and StopTask answer. */
  private describe(task: TaskRecord): Task {
    const details = this.launchDetails.get(task.taskArn);
    const stoppedReason = this.stopReasons.get(task.taskArn);
    return {
      taskArn: task.taskArn,
      clusterArn: CLUSTER_ARN,
      taskDefinitionArn: details?.taskDefinitionArn ?? TASK_DEFINITION_ARN,
      capacityProviderName: task.capacityProvider,
      startedBy: task.runnerName,
      createdAt: new Date(task.requestedAtMs),
      startedAt: new Date(task.startedAtMs),
      lastStatus: task.stoppedAtMs === null ? 'RUNNING' : 'STOPPED',
      desiredStatus: this.desiredStatusOf(task),
      ...(task.stoppedAtMs === null ? {} : { stoppedAt: new Date(task.stoppedAtMs) }),
      ...(task.stopCode === null ? {} : { stopCode: task.stopCode as Task['stopCode'] }),
      ...(stoppedReason === undefined ? {} : { stoppedReason }),
      tags: details?.tags.map(({ Key, Value }) => ({ key: Key, value: Value })) ?? [],
    };
  }

  private count(operation: string): void {
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
  }
}

/** An error as the SDK throws it for an ECS error answer (ECS answers 400 for client errors). */
function ecsError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: code, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

/** What the execution role does with an environment file: read it and take the variable out of it. */
function readJitConfig(s3: FakeS3, arn: string): string | undefined {
  const object = s3.readByArn(arn);
  if (!object) return undefined;
  const line = object.body.split('\n').find((l) => l.startsWith(`${JIT_CONFIG_VARIABLE}=`));
  return line?.slice(JIT_CONFIG_VARIABLE.length + 1);
}

/** The stopped task in DescribeTasks' PascalCase, as runTask.sync returns it (and puts it in a TaskFailed cause). */
function describeTask(parameters: RunTaskParameters, record: TaskRecord, reason: string): Record<string, unknown> {
  return {
    TaskArn: record.taskArn,
    ClusterArn: CLUSTER_ARN,
    TaskDefinitionArn: parameters.TaskDefinition,
    CapacityProviderName: record.capacityProvider,
    StartedBy: record.runnerName,
    LastStatus: 'STOPPED',
    DesiredStatus: 'STOPPED',
    StopCode: record.stopCode,
    StoppedReason: reason,
    CreatedAt: record.startedAtMs,
    ...(record.containersStartedAtMs === null ? {} : { StartedAt: record.containersStartedAtMs }),
    StoppedAt: record.stoppedAtMs,
    Containers: [{ Name: RUNNER_CONTAINER_NAME, LastStatus: 'STOPPED', ExitCode: record.runnerExitCode }],
    Overrides: parameters.Overrides,
    Tags: parameters.Tags,
  };
}

/** A planner that plays `plans` in launch order, repeating the last one. */
export function scriptedPlans(...plans: TaskPlan[]): TaskPlanner {
  return ({ index }) => plans[Math.min(index, plans.length - 1)] ?? { kind: 'normal' };
}
