import { releaseSlot, takeSlot } from '../../../lambdas/lifecycle/runner-slots';
import { FakeS3 } from '../../../sandbox/fake-aws/s3';

const BUCKET = 'fleet-jit-configs';
const holder = (runner: string) => ({ runner, executionArn: `arn:aws:states:eu-west-1:111122223333:execution:RunnerLifecycle:${runner}` });

describe('runner slots', () => {
  it('gives out at most maxRunners slots, even to launches racing for them', async () => {
    const s3 = new FakeS3();

    const taken = await Promise.all(Array.from({ length: 12 }, (_, i) => takeSlot(s3, BUCKET, 'small', 5, holder(`ecs-${i}-1`))));

    const keys = taken.filter((key): key is string => key !== undefined);
    expect(keys).toHaveLength(5);
    expect(new Set(keys).size).toBe(5);
    expect(s3.keys().filter((key) => key.startsWith(`${BUCKET}/slots/small/`))).toHaveLength(5);
  });

  it('keeps classes apart, and gives a released slot to the next launch', async () => {
    const s3 = new FakeS3();
    const first = await takeSlot(s3, BUCKET, 'small', 1, holder('ecs-1-1'));
    expect(await takeSlot(s3, BUCKET, 'docker', 1, holder('ecs-2-1'))).toBe('slots/docker/0');
    expect(await takeSlot(s3, BUCKET, 'small', 1, holder('ecs-3-1'))).toBeUndefined();

    await expect(releaseSlot(s3, BUCKET, first ?? '', 'ecs-1-1')).resolves.toBe('released');

    expect(await takeSlot(s3, BUCKET, 'small', 1, holder('ecs-3-1'))).toBe('slots/small/0');
  });

  it('never frees a slot another runner holds now (the sweeper freed it and a new launch took it)', async () => {
    const s3 = new FakeS3();
    const key = (await takeSlot(s3, BUCKET, 'small', 1, holder('ecs-1-1'))) ?? '';
    await releaseSlot(s3, BUCKET, key, 'ecs-1-1'); // as the sweeper would
    await takeSlot(s3, BUCKET, 'small', 1, holder('ecs-2-1'));

    // WHEN the first runner's late Clean up releases "its" slot
    await expect(releaseSlot(s3, BUCKET, key, 'ecs-1-1')).resolves.toBe('not-ours');

    // THEN the new holder keeps it
    expect(await takeSlot(s3, BUCKET, 'small', 1, holder('ecs-3-1'))).toBeUndefined();
    await expect(releaseSlot(s3, BUCKET, 'slots/small/9', 'ecs-1-1')).resolves.toBe('not-ours');
  });
});
