// Errors the state machine retries or routes on. Each `name` is a literal from the contracts (it survives
// minification and is what Step Functions matches). Messages never carry tokens, JIT configs or keys.
import { ERROR } from '../../statemachine/contracts';

/** The job was picked up, finished or cancelled: no runner is needed for it any more. */
export class JobNotQueuedError extends Error {
  override readonly name = ERROR.jobNotQueued;
  constructor(
    readonly jobId: number,
    readonly status: string,
    options?: ErrorOptions,
  ) {
    super(`Job ${jobId} is '${status}', not 'queued': no runner is needed for it any more.`, options);
  }
}

/** Another execution claimed this runner name, or GitHub answered 409 to generate-jitconfig (a duplicate event). */
export class RunnerNameTakenError extends Error {
  override readonly name = ERROR.runnerNameTaken;
  constructor(
    readonly runnerName: string,
    options?: ErrorOptions,
  ) {
    super(`A runner named '${runnerName}' is already claimed or registered: another execution serves this job and attempt (duplicate event).`, options);
  }
}

/** GitHub's primary or secondary rate limit: retry after `retryAfterSeconds`, never fail the job for it. */
export class GitHubRateLimitedError extends Error {
  override readonly name = ERROR.gitHubRateLimited;
  constructor(
    readonly route: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(`GitHub rate limit reached on ${route}: retry after ${retryAfterSeconds} s.`, options);
  }
}

/** GitHub answered 5xx, or the request failed on the network or timed out. */
export class GitHubUnavailableError extends Error {
  override readonly name = ERROR.gitHubUnavailable;
  constructor(
    readonly route: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`GitHub is unavailable for ${route}: ${detail}`, options);
  }
}

/** GitHub answered 422 to the registration delete: the runner is running a job. Retry later. */
export class RunnerBusyError extends Error {
  override readonly name = ERROR.runnerBusy;
  constructor(
    readonly runnerId: number,
    options?: ErrorOptions,
  ) {
    super(`Runner ${runnerId} is busy with a job and cannot be deleted yet: retry later.`, options);
  }
}

/** The lifecycle input is not a valid launch request; the message names the field and the fix. */
export class InvalidLaunchRequestError extends Error {
  override readonly name = ERROR.invalidLaunchRequest;
  constructor(
    readonly field: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`Invalid launch request: '${field}' ${problem}`, options);
  }
}

/** No configured runner class offers every requested label. */
export class NoMatchingRunnerClassError extends Error {
  override readonly name = ERROR.noMatchingRunnerClass;
  constructor(
    readonly labels: readonly string[],
    classes: readonly { name: string; labels: readonly string[] }[],
    options?: ErrorOptions,
  ) {
    const offered = classes.length === 0 ? 'no runner classes are configured' : classes.map((c) => `${c.name} [${c.labels.join(', ')}]`).join('; ');
    super(
      `No runner class offers all of the labels [${labels.join(', ')}]. Configured classes (besides self-hosted, linux and the architecture label): ${offered}. Add the labels to a class, or change the workflow's runs-on.`,
      options,
    );
  }
}

/** GitHub refuses to re-run a job while its workflow run is still in progress: retry later. */
export class JobStillRunningError extends Error {
  override readonly name = ERROR.jobStillRunning;
  constructor(
    readonly jobId: number,
    options?: ErrorOptions,
  ) {
    super(`Job ${jobId} cannot be re-run yet: its workflow run is still in progress. Retry later.`, options);
  }
}

/** Every runner slot of the class is taken (its maxRunners): wait and try again while the job is still queued. */
export class RunnerCapReachedError extends Error {
  override readonly name = ERROR.runnerCapReached;
  constructor(
    readonly runnerClass: string,
    readonly maxRunners: number,
    options?: ErrorOptions,
  ) {
    super(`Runner class '${runnerClass}' already runs its maximum of ${maxRunners} runners: waiting for one to finish (raise maxRunners to run more at once).`, options);
  }
}
