// `npm run bench`: the performance figures of the fleet, as JSON. Compare ratios within one run: these machines
// are shared and noisy.
import { measureBundles } from './bundles';
import { runBurst } from './burst';
import { runChaos } from '../chaos';

async function main(): Promise<void> {
  const sizes = (process.env.BENCH_BURSTS ?? '200,1000').split(',').map(Number).filter((n) => n > 0);
  const startedAt = new Date().toISOString();
  const lambdas = await measureBundles();
  const bursts: Record<string, unknown> = {};
  for (const jobs of sizes) bursts[`burst${jobs}`] = await runBurst({ jobs });
  const chaosJobs = Number(process.env.BENCH_CHAOS_JOBS ?? 500);
  const chaos = chaosJobs > 0 ? { [`chaos${chaosJobs}`]: (await runChaos({ jobs: chaosJobs, arrivalWindowMs: chaosJobs * 40, smallClassCap: 40 })).figures } : {};
  process.stdout.write(`${JSON.stringify({ date: startedAt, node: process.version, lambdas, ...bursts, ...chaos }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
