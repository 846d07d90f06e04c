import nock from 'nock';
import type { LifecycleState } from '../../../statemachine/contracts';
import type { GitHubClient } from '../../../lambdas/github/client';
import { rerunJob } from '../../../lambdas/rerun-job/rerun-job';
import { JobStillRunningError } from '../../../lambdas/shared/errors';
import { aGitHubClient, captureLogs, expectTokenExchange, type LogCapture } from '../support/github-app';
import { API_URL, errorBodies } from '../support/github-fixtures';
import { aLifecycleState, EXECUTION_ARN, JIT_BUCKET_ARN, withoutRunner } from '../support/builders';
import { claimRerun } from '../../../lambdas/lifecycle/interrupted-jobs';
import { FakeS3 } from '../../../sandbox/fake-aws/s3';
import { useNock } from '../support/nock';

const RERUN_PATH = '/repos/octo-org/other-repo/actions/jobs/555/rerun';
let logs: LogCapture;
let github: GitHubClient;
let s3: FakeS3;

const deps = () => ({ github, s3, config: { jitBucketArn: JIT_BUCKET_ARN }, logger: logs.logger });

function stateToRerun(): LifecycleState {
  return { ...withoutRunner(aLifecycleState()), next: 'rerun', rerun: { owner: 'octo-org', repo: 'other-repo', jobId: 555, runAttempt: 1, installationId: 42 } };
}

useNock();
beforeEach(() => {
  logs = captureLogs();
  github = aGitHubClient({ logger: logs.logger });
  s3 = new FakeS3();
});

describe('rerunJob', () => {
  it('asks GitHub to re-run the interrupted job and ends Done, without the re-run target in its output', async () => {
    expectTokenExchange();
    const rerun = nock(API_URL).post(RERUN_PATH).reply(201, {});

    const state = await rerunJob(stateToRerun(), EXECUTION_ARN, deps());

    expect(rerun.isDone()).toBe(true);
    expect(state.next).toBe('done');
    expect(state).not.toHaveProperty('rerun');
    expect(logs.text()).toContain('Job re-run requested');
  });

  it('fails with JobStillRunning, for Step Functions to retry, while GitHub says the run is still in progress', async () => {
    expectTokenExchange();
    nock(API_URL).post(RERUN_PATH).reply(403, { message: 'The workflow run containing this job is already running', status: '403' });

    await expect(rerunJob(stateToRerun(), EXECUTION_ARN, deps())).rejects.toBeInstanceOf(JobStillRunningError);
  });

  it('ends Done when the job no longer exists', async () => {
    expectTokenExchange();
    nock(API_URL).post(RERUN_PATH).reply(404, errorBodies.notFound);

    await expect(rerunJob(stateToRerun(), EXECUTION_ARN, deps())).resolves.toMatchObject({ next: 'done' });
  });

  it('re-runs a job once: not when the job-started handler already claimed its re-run, but again on its own retry', async () => {
    await claimRerun(s3, 'fleet-jit-configs', 555, 'job-started:ecs-1234567-1');

    await expect(rerunJob(stateToRerun(), EXECUTION_ARN, deps())).resolves.toMatchObject({ next: 'done' });
    expect(github.callCounts()).toEqual({});
    expect(logs.text()).toContain('already re-run');

    // A Step Functions retry (after JobStillRunning) finds its own claim and goes on
    expectTokenExchange();
    const rerun = nock(API_URL).post('/repos/octo-org/other-repo/actions/jobs/556/rerun').reply(201, {});
    await claimRerun(s3, 'fleet-jit-configs', 556, EXECUTION_ARN);
    const state = { ...stateToRerun(), rerun: { owner: 'octo-org', repo: 'other-repo', jobId: 556, runAttempt: 1, installationId: 42 } };
    await rerunJob(state, EXECUTION_ARN, deps());
    expect(rerun.isDone()).toBe(true);
  });

  it('rejects a state without a job to re-run, naming the field', async () => {
    await expect(rerunJob(withoutRunner(aLifecycleState()), EXECUTION_ARN, deps())).rejects.toMatchObject({ name: 'InvalidLaunchRequest', field: 'rerun' });
  });
});
