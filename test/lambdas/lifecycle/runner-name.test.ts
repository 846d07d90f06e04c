import { bucketNameFromArn, isOurRunnerName, jitObjectKey, runnerName } from '../../../lambdas/lifecycle/runner-name';
import { aLaunchRequest, aManualRequest, EXECUTION_NAME } from '../support/builders';

describe('runnerName', () => {
  it('names a job runner <prefix>-<jobId>-<attempt>, the same for a duplicate event', () => {
    expect(runnerName('ecs', aLaunchRequest({ jobId: 1234567 }), 2, 'any-execution')).toBe('ecs-1234567-2');
    expect(runnerName('ecs', aLaunchRequest({ jobId: 1234567 }), 2, 'another-execution')).toBe('ecs-1234567-2');
  });

  it('names a manual runner after its execution, keeping short names readable', () => {
    expect(runnerName('ecs', aManualRequest(), 1, 'try-docker')).toBe('ecs-mtry-docker-1');
  });

  it('shortens long or unusual execution names with a hash so that two names never collide', () => {
    const first = runnerName('ecs', aManualRequest(), 1, EXECUTION_NAME);
    const second = runnerName('ecs', aManualRequest(), 1, EXECUTION_NAME.replace(/5$/, '6'));

    expect(first).toMatch(/^ecs-m[A-Za-z0-9_-]{1,20}-1$/);
    expect(first).not.toBe(second);
    expect(runnerName('ecs', aManualRequest(), 1, 'manual launch: X.Y')).toMatch(/^ecs-m[A-Za-z0-9_-]+-1$/);
  });

  it('stays within 64 characters of letters, digits, - and _ for the longest prefix', () => {
    const prefix = 'p'.repeat(32);

    expect(runnerName(prefix, aLaunchRequest({ jobId: 9_007_199_254_740_991 }), 10, 'x')).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(runnerName(prefix, aManualRequest(), 10, 'x'.repeat(80))).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});

describe('isOurRunnerName', () => {
  it.each([
    ['ecs', runnerName('ecs', aLaunchRequest({ jobId: 1234567 }), 1, 'x')],
    ['ecs', runnerName('ecs', aLaunchRequest({ jobId: 9_007_199_254_740_991 }), 10, 'x')],
    ['ecs', runnerName('ecs', aManualRequest(), 1, 'try-docker')],
    ['ecs', runnerName('ecs', aManualRequest(), 3, EXECUTION_NAME)],
    ['ecs', runnerName('ecs', aManualRequest(), 1, 'manual launch: X.Y')],
    ['fleet_a-1', runnerName('fleet_a-1', aLaunchRequest({ jobId: 42 }), 2, 'x')],
  ])('recognizes a name runnerName gives with the prefix %s (%s)', (prefix, name) => {
    expect(isOurRunnerName(prefix, name)).toBe(true);
  });

  it.each([
    ['another prefix', 'gha-1234567-1'],
    ['a longer prefix that starts with ours', 'ecs2-1234567-1'],
    ['another fleet whose prefix extends ours', 'ecs-dev-1234567-1'],
    ['no attempt', 'ecs-1234567'],
    ['attempt 0', 'ecs-1234567-0'],
    ['a job id with a leading zero', 'ecs-01234567-1'],
    ['a manual name longer than runnerName makes', `ecs-m${'a'.repeat(21)}-1`],
    ['characters runnerName never uses', 'ecs-mtry.docker-1'],
    ['a person-made runner', 'my-laptop'],
  ])('rejects %s (%s)', (_case, name) => {
    expect(isOurRunnerName('ecs', name)).toBe(false);
  });
});

describe('JIT object location', () => {
  it('keys the environment file by runner name under the JIT prefix', () => {
    expect(jitObjectKey('ecs-1234567-1')).toBe('jit/ecs-1234567-1.env');
  });

  it('reads the bucket name from its ARN', () => {
    expect(bucketNameFromArn('arn:aws:s3:::fleet-jit-configs')).toBe('fleet-jit-configs');
    expect(bucketNameFromArn('arn:aws-cn:s3:::fleet-jit')).toBe('fleet-jit');
  });

  it('rejects an ARN that is not a bucket ARN', () => {
    expect(() => bucketNameFromArn('arn:aws:s3:::bucket/key')).toThrow('is not an S3 bucket ARN');
  });
});
