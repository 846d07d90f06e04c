// Runners and jobs, and GitHub's assignment rule: a queued job goes to ANY idle online runner in scope whose
// labels cover the job's, so a runner launched "for" one job may take another. Errors carry GitHub's answers.
import { createHash } from 'node:crypto';
import { key, type Account, type Directory, type Installation, type Repository } from './directory';
import { ApiError, DOCS_URL, MESSAGE, RunnerConnectionError, notFound } from './errors';
import type { EventLog } from './events';
import { createRunnerCredential, decodeJitConfig, sameCredential, type RunnerCredential } from './jit-config';
import { RunnerSessionImpl } from './runner-session';
import type {
  Architecture,
  AssignedJob,
  ConnectRunnerOptions,
  JobConclusion,
  JobStatus,
  JobView,
  QueueJobInput,
  RunnerSession,
  RunnerView,
} from './types';

export type RunnerScope =
  | { type: 'repository'; repository: Repository }
  | { type: 'organization'; installation: Installation };

export interface RunnerRecord {
  id: number;
  name: string;
  scope: RunnerScope;
  runnerGroupId: number;
  customLabels: string[];
  workFolder: string;
  credential: RunnerCredential;
  registeredAtMs: number;
  /** Set once the runner connected: a JIT config is single-use. */
  architecture: Architecture | null;
  status: 'online' | 'offline';
  busy: boolean;
  jobId: number | null;
  session: RunnerSessionImpl | null;
}

export interface JobRecord {
  id: number;
  runId: number;
  runAttempt: number;
  repository: Repository;
  name: string;
  labels: string[];
  durationMs: number;
  headSha: string;
  status: JobStatus;
  conclusion: JobConclusion | null;
  createdAtMs: number;
  startedAtMs: number | null;
  completedAtMs: number | null;
  runner: { id: number; name: string; groupId: number; groupName: string } | null;
}

export type JobAction = 'queued' | 'in_progress' | 'completed';

export interface StateOptions {
  directory: Directory;
  now: () => number;
  events: EventLog;
  /** Called on every job transition: the webhook module sends the `workflow_job` event. */
  onJobChange: (action: JobAction, job: JobRecord) => void;
  runnerGroupIds: readonly number[] | undefined;
}

export class FleetState {
  private readonly runners = new Map<number, RunnerRecord>();
  private readonly jobs = new Map<number, JobRecord>();
  /** Connected idle runners, in the order they came online. */
  private readonly idle = new Map<number, RunnerRecord>();
  /** Queued jobs, oldest first. */
  private readonly queued = new Map<number, JobRecord>();
  private readonly deletedRunnerIds = new Set<number>();
  private nextRunnerId = 101;
  private nextJobId = 20_000_000_001;
  private nextRunId = 9_000_000_001;

  constructor(private readonly options: StateOptions) {}

  registerRunner(scope: RunnerScope, input: { name: string; labels: string[]; runnerGroupId: number; workFolder: string }): RunnerRecord {
    const groups = this.options.runnerGroupIds;
    if (groups && !groups.includes(input.runnerGroupId)) throw notFound(DOCS_URL.jitConfig);
    if (this.runnersIn(scope).some((runner) => key(runner.name) === key(input.name))) {
      throw new ApiError(409, MESSAGE.runnerExists(input.name), DOCS_URL.jitConfig);
    }
    const runner: RunnerRecord = {
      id: this.nextRunnerId++,
      name: input.name,
      scope,
      runnerGroupId: input.runnerGroupId,
      customLabels: dedupe(input.labels),
      workFolder: input.workFolder,
      credential: createRunnerCredential(),
      registeredAtMs: this.options.now(),
      architecture: null,
      status: 'offline',
      busy: false,
      jobId: null,
      session: null,
    };
    this.runners.set(runner.id, runner);
    this.options.events.record('runner-registered', { runnerId: runner.id, runnerName: runner.name, detail: runner.customLabels.join(',') });
    return runner;
  }

  runnersIn(scope: RunnerScope): RunnerRecord[] {
    const scopeKey = scopeKeyOf(scope);
    return [...this.runners.values()].filter((runner) => scopeKeyOf(runner.scope) === scopeKey);
  }

  runnerIn(scope: RunnerScope, runnerId: number): RunnerRecord | undefined {
    const runner = this.runners.get(runnerId);
    return runner && scopeKeyOf(runner.scope) === scopeKeyOf(scope) ? runner : undefined;
  }

  deleteRunner(scope: RunnerScope, runnerId: number): void {
    const runner = this.runnerIn(scope, runnerId);
    if (!runner) throw notFound(DOCS_URL.deleteRunner);
    if (runner.busy) throw new ApiError(422, MESSAGE.runnerBusy(runner.name), DOCS_URL.deleteRunner);
    this.removeRunner(runner, 'registration deleted through the API');
    runner.session?.end('removed', 'the runner registration was deleted');
  }

  queueJob(input: QueueJobInput): JobRecord {
    const repository = this.options.directory.repository(input.owner, input.repo);
    if (!repository) throw new Error(`No installation of the App reaches ${input.owner}/${input.repo}`);
    if (input.labels.length === 0) throw new Error('A job needs at least one label');
    const runId = this.nextRunId++;
    return this.addJob({ runId, runAttempt: 1, repository, name: input.name ?? 'build', labels: input.labels, durationMs: input.durationMs });
  }

  job(jobId: number): JobRecord | undefined {
    return this.jobs.get(jobId);
  }

  /** GitHub's "re-run a job": a new attempt of the run, with a new job id, queued again. */
  rerunJob(job: JobRecord): JobRecord {
    const attempts = [...this.jobs.values()].filter((candidate) => candidate.runId === job.runId);
    if (attempts.some((attempt) => attempt.status !== 'completed')) {
      throw new ApiError(403, MESSAGE.rerunWhileRunning, DOCS_URL.rerunJob);
    }
    const runAttempt = Math.max(...attempts.map((attempt) => attempt.runAttempt)) + 1;
    return this.addJob({ runId: job.runId, runAttempt, repository: job.repository, name: job.name, labels: job.labels, durationMs: job.durationMs });
  }

  /** The workflow run is cancelled while the job waits: it leaves the queue, `completed` with `cancelled`. */
  cancelQueuedJob(jobId: number): JobRecord {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`No job ${jobId}`);
    if (job.status !== 'queued') throw new Error(`Job ${jobId} is ${job.status}: only a queued job can be cancelled here`);
    this.queued.delete(job.id);
    this.finishJob(job, 'cancelled', null);
    return job;
  }

  connect(encodedJitConfig: string, options: ConnectRunnerOptions): RunnerSession {
    const config = decodeJitConfig(encodedJitConfig);
    if (!config) throw new RunnerConnectionError('The JIT config is not one GitHub issued');
    const runner = this.runners.get(config.runnerId);
    if (!runner) {
      const reason = this.deletedRunnerIds.has(config.runnerId) ? 'has been deleted' : 'does not exist';
      throw new RunnerConnectionError(`The runner registration ${config.runnerName} ${reason}`);
    }
    if (!sameCredential(runner.credential, config.credential)) throw new RunnerConnectionError('The JIT config credential is invalid');
    if (runner.architecture !== null) throw new RunnerConnectionError(`The JIT config of ${runner.name} was already used`);

    runner.architecture = options.architecture ?? 'x64';
    runner.status = 'online';
    const session = new RunnerSessionImpl(runner.id, runner.name, {
      completeJob: (runnerId, conclusion) => this.completeJob(runnerId, conclusion),
      disconnect: (runnerId) => this.disconnect(runnerId),
    });
    runner.session = session;
    this.options.events.record('runner-online', { runnerId: runner.id, runnerName: runner.name });
    this.idle.set(runner.id, runner);
    this.assignToRunner(runner);
    return session;
  }

  jobViews(): JobView[] {
    return [...this.jobs.values()].map(toJobView);
  }

  runnerViews(): RunnerView[] {
    return [...this.runners.values()].map((runner) => ({
      id: runner.id,
      name: runner.name,
      scope:
        runner.scope.type === 'repository'
          ? { type: 'repository', owner: runner.scope.repository.owner.login, repo: runner.scope.repository.name }
          : { type: 'organization', organization: runner.scope.installation.account.login },
      labels: runnerLabels(runner).map((label) => label.name),
      status: runner.status,
      busy: runner.busy,
      jobId: runner.jobId,
      registeredAtMs: runner.registeredAtMs,
    }));
  }

  private addJob(input: Pick<JobRecord, 'runId' | 'runAttempt' | 'repository' | 'name' | 'labels' | 'durationMs'>): JobRecord {
    const nowMs = this.options.now();
    const job: JobRecord = {
      ...input,
      id: this.nextJobId++,
      labels: [...input.labels],
      headSha: createHash('sha1').update(`${input.repository.fullName}#${input.runId}`).digest('hex'),
      status: 'queued',
      conclusion: null,
      createdAtMs: nowMs,
      startedAtMs: null,
      completedAtMs: null,
      runner: null,
    };
    this.jobs.set(job.id, job);
    this.queued.set(job.id, job);
    this.options.events.record('job-queued', { jobId: job.id, detail: `${job.repository.fullName} [${job.labels.join(',')}] attempt ${job.runAttempt}` });
    this.options.onJobChange('queued', job);
    this.assignJob(job);
    return job;
  }

  private assignJob(job: JobRecord): void {
    const runner = [...this.idle.values()].find((candidate) => canRun(candidate, job));
    if (runner) this.assign(runner, job);
  }

  private assignToRunner(runner: RunnerRecord): void {
    const job = [...this.queued.values()].find((candidate) => canRun(runner, candidate));
    if (job) this.assign(runner, job);
  }

  private assign(runner: RunnerRecord, job: JobRecord): void {
    this.idle.delete(runner.id);
    this.queued.delete(job.id);
    runner.busy = true;
    runner.jobId = job.id;
    job.status = 'in_progress';
    job.startedAtMs = this.options.now();
    job.runner = { id: runner.id, name: runner.name, groupId: runner.runnerGroupId, groupName: runnerGroupName(runner.runnerGroupId) };
    this.options.events.record('runner-assigned', { runnerId: runner.id, runnerName: runner.name, jobId: job.id });
    this.options.events.record('job-in-progress', { jobId: job.id, runnerId: runner.id, runnerName: runner.name });
    this.options.onJobChange('in_progress', job);
    runner.session?.assign(toAssignedJob(job));
  }

  private completeJob(runnerId: number, conclusion: JobConclusion): void {
    const runner = this.runners.get(runnerId);
    const job = runner?.jobId == null ? undefined : this.jobs.get(runner.jobId);
    if (!runner || !job) return;
    this.finishJob(job, conclusion, runner);
    // An ephemeral runner's registration goes away with its job.
    this.removeRunner(runner, 'ephemeral runner finished its job');
    runner.session?.end('finished', `job ${job.id} completed`);
  }

  private disconnect(runnerId: number): { failedJobId: number | null } {
    const runner = this.runners.get(runnerId);
    if (!runner) return { failedJobId: null };
    const job = runner.jobId == null ? undefined : this.jobs.get(runner.jobId);
    this.idle.delete(runner.id);
    runner.status = 'offline';
    runner.busy = false;
    runner.jobId = null;
    this.options.events.record('runner-offline', { runnerId: runner.id, runnerName: runner.name, detail: job ? `lost mid-job ${job.id}` : 'no job' });
    // GitHub fails the job when it loses the runner that was running it.
    if (job) this.finishJob(job, 'failure', runner);
    runner.session?.end('disconnected', job ? `lost while running job ${job.id}` : 'left before taking a job');
    return { failedJobId: job?.id ?? null };
  }

  private finishJob(job: JobRecord, conclusion: JobConclusion, runner: RunnerRecord | null): void {
    job.status = 'completed';
    job.conclusion = conclusion;
    job.completedAtMs = this.options.now();
    this.options.events.record('job-completed', { jobId: job.id, ...(runner ? { runnerId: runner.id, runnerName: runner.name } : {}), detail: conclusion });
    this.options.onJobChange('completed', job);
  }

  private removeRunner(runner: RunnerRecord, reason: string): void {
    this.runners.delete(runner.id);
    this.idle.delete(runner.id);
    this.deletedRunnerIds.add(runner.id);
    runner.status = 'offline';
    runner.busy = false;
    runner.jobId = null;
    this.options.events.record('runner-deleted', { runnerId: runner.id, runnerName: runner.name, detail: reason });
  }
}

/** The labels a runner has: its custom labels, plus the defaults it reports once connected. */
export function runnerLabels(runner: RunnerRecord): { name: string; type: 'read-only' | 'custom' }[] {
  const defaults = ['self-hosted'];
  if (runner.architecture) defaults.push('Linux', runner.architecture === 'arm64' ? 'ARM64' : 'X64');
  const defaultKeys = new Set(defaults.map(key));
  return [
    ...defaults.map((name) => ({ name, type: 'read-only' as const })),
    ...runner.customLabels.filter((name) => !defaultKeys.has(key(name))).map((name) => ({ name, type: 'custom' as const })),
  ];
}

export function runnerGroupName(groupId: number): string {
  return groupId === 1 ? 'Default' : `Group ${groupId}`;
}

function canRun(runner: RunnerRecord, job: JobRecord): boolean {
  if (runner.status !== 'online' || runner.busy) return false;
  if (!inScope(runner.scope, job.repository)) return false;
  const labels = new Set(runnerLabels(runner).map((label) => key(label.name)));
  return job.labels.every((label) => labels.has(key(label)));
}

function inScope(scope: RunnerScope, repository: Repository): boolean {
  return scope.type === 'repository' ? scope.repository.id === repository.id : sameAccount(scope.installation.account, repository.owner);
}

function sameAccount(a: Account, b: Account): boolean {
  return key(a.login) === key(b.login);
}

function scopeKeyOf(scope: RunnerScope): string {
  return scope.type === 'repository' ? `repo:${scope.repository.id}` : `org:${key(scope.installation.account.login)}`;
}

function dedupe(labels: readonly string[]): string[] {
  const seen = new Set<string>();
  return labels.filter((label) => !seen.has(key(label)) && seen.add(key(label)));
}

function toAssignedJob(job: JobRecord): AssignedJob {
  return {
    id: job.id,
    runId: job.runId,
    runAttempt: job.runAttempt,
    owner: job.repository.owner.login,
    repo: job.repository.name,
    name: job.name,
    labels: [...job.labels],
    durationMs: job.durationMs,
  };
}

export function toJobView(job: JobRecord): JobView {
  return {
    ...toAssignedJob(job),
    status: job.status,
    conclusion: job.conclusion,
    runnerId: job.runner?.id ?? null,
    runnerName: job.runner?.name ?? null,
    queuedAtMs: job.createdAtMs,
    startedAtMs: job.startedAtMs,
    completedAtMs: job.completedAtMs,
  };
}
