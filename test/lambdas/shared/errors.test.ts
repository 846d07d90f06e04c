import { ERROR } from '../../../statemachine/contracts';
import {
  GitHubRateLimitedError,
  GitHubUnavailableError,
  InvalidLaunchRequestError,
  JobNotQueuedError,
  NoMatchingRunnerClassError,
  RunnerBusyError,
  RunnerNameTakenError,
} from '../../../lambdas/shared/errors';

describe('named errors', () => {
  const cause = new Error('original');

  it.each([
    [new JobNotQueuedError(1, 'completed', { cause }), ERROR.jobNotQueued],
    [new RunnerNameTakenError('ecs-1-1', { cause }), ERROR.runnerNameTaken],
    [new GitHubRateLimitedError('GET /x', 30, { cause }), ERROR.gitHubRateLimited],
    [new GitHubUnavailableError('GET /x', 'HTTP 502', { cause }), ERROR.gitHubUnavailable],
    [new RunnerBusyError(23, { cause }), ERROR.runnerBusy],
    [new InvalidLaunchRequestError('owner', 'must be a name.', { cause }), ERROR.invalidLaunchRequest],
    [new NoMatchingRunnerClassError(['gpu'], [], { cause }), ERROR.noMatchingRunnerClass],
  ])('%s carries the contract name and the original error as cause', (error, name) => {
    expect(error.name).toBe(name);
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
  });

  it('tells how long to wait on a rate limit', () => {
    expect(new GitHubRateLimitedError('POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig', 42)).toMatchObject({
      retryAfterSeconds: 42,
      message: 'GitHub rate limit reached on POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig: retry after 42 s.',
    });
  });

  it('lists the requested labels and every class with its labels when no class matches', () => {
    const error = new NoMatchingRunnerClassError(['self-hosted', 'gpu'], [
      { name: 'fargate', labels: ['fargate'] },
      { name: 'docker', labels: ['docker', 'large'] },
    ]);

    expect(error.message).toContain('[self-hosted, gpu]');
    expect(error.message).toContain('fargate [fargate]; docker [docker, large]');
  });
});
