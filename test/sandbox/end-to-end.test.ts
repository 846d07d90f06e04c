// The whole fleet through the sandbox, as `npm start` runs it: signed webhooks, the relay, the bus and rule, the
// real state machine and Lambda code, simulated Spot interruptions and GitHub faults, on a fixed seed.
import { runSandbox } from '../../sandbox/run';

describe('the fleet end to end in the sandbox', () => {
  it('serves 30 jobs through Spot interruptions and GitHub faults, leaving nothing behind and leaking nothing', async () => {
    // GIVEN a seeded run with interruptions, capacity errors, ECS throttling, GitHub 5xx and rate limiting
    const report = await runSandbox({
      jobs: 30,
      seed: 7,
      spotInterruptionRate: 0.25,
      capacityErrorRate: 0.1,
      ecsThrottleRate: 0.1,
      gitHubFaults: { serverErrorRate: 0.05, secondaryRateLimitRate: 0.03 },
      arrivalWindowMs: 1_000,
      jobDurationMs: [100, 400],
      idleTimeoutMs: 800,
    });

    // THEN every job ran to success, every execution succeeded, and the faults really happened
    const { summary } = report;
    expect(summary.jobs).toBe(30);
    expect(summary.jobsServed).toBe(30);
    expect(report.failures).toEqual([]);
    expect(summary.executionsFailed).toBe(0);
    expect(summary.spotInterruptions).toBeGreaterThan(0);
    expect(summary.onDemandFallbacks).toBeGreaterThan(0);
    expect(summary.relaunches).toBeGreaterThan(0);
    // AND no registration, JIT file or task is left, and no secret is in any execution history or log line
    expect(summary.leftovers).toEqual({ registrations: 0, jitFiles: 0, tasks: 0 });
    expect(summary.secretsLeaked).toBe(0);
    // A lifecycle whose job another runner took before its relaunch ends in Not needed: the job was still served.
    expect(report.jobs.filter((job) => job.outcome !== 'Done' && job.outcome !== 'Not needed')).toEqual([]);
    expect(report.jobs.filter((job) => job.jobConclusion !== 'success')).toEqual([]);
  });
});
