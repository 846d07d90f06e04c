// What a sandbox run reports: per job, per runner, and the summary numbers. Built from the executions' event
// logs, the fake GitHub's events and the simulated ECS tasks (collect.ts); drawn by the renderers.
import type { Capacity, Outcome } from '../../statemachine/contracts';

/** A stretch of one runner's life, for the timeline (one colour per kind). */
export type PhaseKind =
  | 'minting' // Mint token: JIT config registered and stored
  | 'starting' // task provisioning and runner start-up, until the runner is online
  | 'waiting' // online, waiting for GitHub to assign a job
  | 'running-job' // running a job
  | 'interrupted' // Spot interruption or a failed start: the last moments of the task
  | 'cleaning-up'; // Clean up

export interface Phase {
  kind: PhaseKind;
  startMs: number;
  endMs: number;
}

/** One runner: one launch attempt of one lifecycle execution. A row of the timeline. */
export interface RunnerRow {
  runner: string;
  executionName: string;
  /** The job the lifecycle was started for (null for a manual launch). */
  launchedForJobId: number | null;
  /** The job this runner actually ran, if any (it may be another job: a stolen runner). */
  ranJobId: number | null;
  attempt: number;
  runnerClass: string | null;
  capacity: Capacity | null;
  capacityProvider: string | null;
  outcome: Outcome;
  phases: Phase[];
}

export interface JobRow {
  jobId: number;
  repo: string;
  labels: string[];
  /** Runner names that served or tried to serve this job's lifecycle, in order. */
  runners: string[];
  /** Capacity of the runner that ran it (or of the last attempt). */
  capacity: Capacity | null;
  attempts: number;
  interruptions: number;
  /** How the lifecycle ended: the terminal state's name (Done, Duplicate, Failed...). */
  outcome: string;
  /** GitHub's view: success, failure, or still queued. */
  jobConclusion: string;
  queuedAtMs: number;
  startedAtMs: number | null;
  completedAtMs: number | null;
  /** startedAtMs - queuedAtMs: what a developer waits for. */
  queueToStartMs: number | null;
}

/** An execution that ended FAILED: what a person would open first in the console. */
export interface ExecutionFailure {
  executionName: string;
  jobId: number | null;
  error: string;
  cause: string;
  /** The states it went through, in order. */
  path: string[];
}

export interface SandboxSummary {
  jobs: number;
  jobsServed: number;
  executions: number;
  executionsFailed: number;
  runnersLaunched: number;
  spotInterruptions: number;
  relaunches: number;
  onDemandFallbacks: number;
  leftovers: { registrations: number; jitFiles: number; tasks: number };
  secretsLeaked: number;
  makespanMs: number;
  queueToStartMs: { p50: number | null; p95: number | null; max: number | null };
  gitHubCalls: Record<string, number>;
  stateTransitions: number;
}

export interface SandboxReport {
  title: string;
  startedAtMs: number;
  endedAtMs: number;
  jobs: JobRow[];
  runners: RunnerRow[];
  failures: ExecutionFailure[];
  summary: SandboxSummary;
}
