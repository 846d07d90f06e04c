// The promise users care about most, under every fault at once on a fixed seed: every job is served (a job whose
// runner was interrupted mid-job is re-run), nothing is left after the sweeper, no secret leaks.
import { runChaos } from '../../sandbox/chaos';

describe('the fleet under chaos', () => {
  it('serves every job through faults, outages, interruptions, stolen runners, stopped executions and a cap, and leaves nothing after the sweep', async () => {
    const { figures, report } = await runChaos({ jobs: 40, seed: 11 });

    // THEN every workflow run's last attempt succeeded, without a failed execution or a dead letter
    expect(report.failures).toEqual([]);
    expect(figures.unserved).toEqual([]);
    expect(figures).toMatchObject({ executionsFailed: 0, deadLetters: 0, secretsLeaked: 0 });
    expect(figures.jobsServed + figures.rerunLimitReached).toBe(40);
    // AND the faults really happened: interruptions before and during jobs, re-runs, stolen runners, an outage
    // healed by redelivery, executions stopped by hand, and jobs waiting for a slot of the capped class
    expect(figures.spotInterruptions.beforeJob).toBeGreaterThan(0);
    expect(figures.spotInterruptions.duringJob).toBeGreaterThan(0);
    expect(figures.reruns).toBe(figures.spotInterruptions.duringJob);
    expect(figures.stolenRunnerRelaunches).toBeGreaterThan(0);
    expect(figures.redelivery.redelivered).toBeGreaterThan(0);
    expect(figures.executionsStoppedByHand).toBeGreaterThan(0);
    // AND relaunches stay bounded: never more runners for a job than maxAttempts besides those another job took,
    // never two idle ones at once, never more runners of the capped class than its cap
    expect(figures.runnersBeyondBound).toBe(0);
    expect(figures.mostIdleRunnersAtOnceForOneJob).toBe(1);
    expect(figures.cappedClass.mostAtOnce).toBeLessThanOrEqual(figures.cappedClass.maxRunners);
    // AND the stopped executions left something that only the sweeper removed
    const before = figures.leftoversBeforeSweep;
    expect(before.jitFiles + before.slots + before.registrations + before.tasks).toBeGreaterThan(0);
    expect(figures.leftoversAfterSweep).toEqual({ registrations: 0, jitFiles: 0, tasks: 0, slots: 0 });
  }, 120_000);
});
