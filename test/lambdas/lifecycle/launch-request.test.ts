import { parseLaunchRequest } from '../../../lambdas/lifecycle/launch-request';
import { InvalidLaunchRequestError } from '../../../lambdas/shared/errors';
import { aLaunchRequest } from '../support/builders';

function rejectionOf(input: unknown): InvalidLaunchRequestError {
  try {
    parseLaunchRequest(input);
  } catch (error) {
    if (error instanceof InvalidLaunchRequestError) return error;
    throw error;
  }
  throw new Error('expected the request to be rejected');
}

describe('parseLaunchRequest', () => {
  it('accepts what the EventBridge input transformer produces', () => {
    expect(parseLaunchRequest(aLaunchRequest())).toEqual(aLaunchRequest());
  });

  it('accepts a manual launch with only owner, repo and labels', () => {
    expect(parseLaunchRequest({ owner: 'octo-org', repo: 'hello-world', labels: ['fargate'] })).toEqual({ owner: 'octo-org', repo: 'hello-world', labels: ['fargate'] });
  });

  it('drops the nulls an input transformer writes for missing paths, and unknown fields such as a caught error', () => {
    const parsed = parseLaunchRequest({ ...aLaunchRequest(), jobId: null, runId: null, runAttempt: null, installationId: null, jobUrl: null, error: { Error: 'X' } });

    expect(parsed).toEqual({ owner: 'octo-org', repo: 'hello-world', labels: ['self-hosted', 'linux', 'fargate'] });
  });

  it('accepts ids typed as strings at the console', () => {
    expect(parseLaunchRequest({ ...aLaunchRequest(), jobId: '1234567' }).jobId).toBe(1234567);
  });

  it.each([
    ['owner', { owner: '-octo' }],
    ['owner', { owner: 'a'.repeat(40) }],
    ['owner', { owner: 'octo/org' }],
    ['repo', { repo: '' }],
    ['repo', { repo: 'hello world' }],
    ['repo', { repo: '..' }],
    ['labels', { labels: [] }],
    ['labels', { labels: 'fargate' }],
    ['labels.1', { labels: ['fargate', ' '] }],
    ['jobId', { jobId: -1 }],
    ['jobId', { jobId: 1.5 }],
    ['runId', { runId: 'abc' }],
    ['runAttempt', { runAttempt: 0 }],
    ['installationId', { installationId: true }],
    ['jobUrl', { jobUrl: 42 }],
  ])('rejects a bad %s naming the field and what it expects', (field, override) => {
    const error = rejectionOf({ ...aLaunchRequest(), ...override });

    expect(error).toMatchObject({ name: 'InvalidLaunchRequest', field });
    expect(error.message).toContain(`'${field}' must be`);
  });

  it.each([['owner'], ['repo'], ['labels']])('rejects a request without %s', (field) => {
    const request: Record<string, unknown> = { ...aLaunchRequest() };
    delete request[field];

    expect(rejectionOf(request).field).toBe(field);
  });

  it.each([[null], ['octo-org/hello-world'], [[1, 2]]])('rejects %p, which is not an object', (input) => {
    expect(rejectionOf(input).message).toContain('must be a JSON object');
  });
});
