// One runner process connected with its JIT config. GitHub pushes it a job; the simulation (the fake ECS task)
// waits for it with `nextJob()`, then completes it or disconnects.
import { RunnerSessionEndedError } from './errors';
import type { AssignedJob, JobConclusion, RunnerSession, RunnerSessionState } from './types';

/** What the session asks of the server state. */
export interface SessionController {
  completeJob(runnerId: number, conclusion: JobConclusion): void;
  disconnect(runnerId: number): { failedJobId: number | null };
}

interface Waiter {
  resolve: (job: AssignedJob) => void;
  reject: (error: Error) => void;
}

export class RunnerSessionImpl implements RunnerSession {
  private currentState: RunnerSessionState = 'idle';
  private currentJob: AssignedJob | null = null;
  private endReason = '';
  private waiter: Waiter | null = null;

  constructor(
    readonly runnerId: number,
    readonly runnerName: string,
    private readonly controller: SessionController,
  ) {}

  get state(): RunnerSessionState {
    return this.currentState;
  }

  get job(): AssignedJob | null {
    return this.currentJob;
  }

  nextJob(): Promise<AssignedJob> {
    if (this.currentJob) return Promise.resolve(this.currentJob);
    if (this.currentState !== 'idle') return Promise.reject(this.endedError());
    if (this.waiter) return Promise.reject(new Error(`Runner ${this.runnerName} is already waiting for a job`));
    return new Promise<AssignedJob>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  completeJob(conclusion: JobConclusion = 'success'): void {
    if (this.currentState !== 'busy') throw new Error(`Runner ${this.runnerName} has no job to complete (${this.currentState})`);
    this.controller.completeJob(this.runnerId, conclusion);
  }

  disconnect(): { failedJobId: number | null } {
    if (this.currentState !== 'idle' && this.currentState !== 'busy') return { failedJobId: null };
    return this.controller.disconnect(this.runnerId);
  }

  /** Called by the state when GitHub assigns a job to this runner. */
  assign(job: AssignedJob): void {
    this.currentJob = job;
    this.currentState = 'busy';
    this.waiter?.resolve(job);
    this.waiter = null;
  }

  /** Called by the state when the session is over, whatever the reason. */
  end(state: 'finished' | 'disconnected' | 'removed', reason: string): void {
    this.currentState = state;
    this.currentJob = null;
    this.endReason = reason;
    this.waiter?.reject(this.endedError());
    this.waiter = null;
  }

  private endedError(): RunnerSessionEndedError {
    return new RunnerSessionEndedError(`Runner ${this.runnerName} session ended: ${this.endReason || this.currentState}`);
  }
}
