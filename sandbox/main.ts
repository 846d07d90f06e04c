// `npm start`: the whole fleet on this machine, without AWS or GitHub. See `npm start -- --help`.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { renderJobTable, renderSummary } from './report/render-table';
import { renderTimelineHtml, renderTimelineSvg } from './report/render-timeline';
import { runSandbox, type SandboxProgress } from './run';

const HELP = `Runs the runner fleet locally: a fake GitHub sends signed webhooks to the real relay, the real state
machine (from the synthesized template) runs each lifecycle with the real Lambda code, and simulated ECS tasks
take the jobs, some of them interrupted by Spot. Nothing leaves this machine.

Usage: npm start -- [options]

  --jobs N                 jobs to queue (default 20)
  --seed N                 seed of every random choice and fault: the same seed, the same run (default 1)
  --spot-interruptions P   share of Spot launches interrupted before taking a job (default 0.15)
  --capacity-errors P      share of Spot launches refused for capacity (default 0.05)
  --github-errors P        share of GitHub API calls answering 5xx (default 0.02)
  --rate-limits P          share of GitHub API calls refused by the secondary rate limit (default 0)
  --ecs-throttling P       share of RunTask calls throttled (default 0.05)
  --timeline FILE          write the lifecycle timeline: FILE.html (page) or FILE.svg (picture)
  --json                   print the whole report as JSON instead of tables
  --logs                   print the Lambdas' structured log lines as they are written
  --help                   this text
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '20' },
      seed: { type: 'string', default: '1' },
      'spot-interruptions': { type: 'string', default: '0.15' },
      'capacity-errors': { type: 'string', default: '0.05' },
      'github-errors': { type: 'string', default: '0.02' },
      'rate-limits': { type: 'string', default: '0' },
      'ecs-throttling': { type: 'string', default: '0.05' },
      timeline: { type: 'string' },
      json: { type: 'boolean', default: false },
      logs: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const interactive = process.stdout.isTTY && !values.json;
  const report = await runSandbox({
    jobs: count('--jobs', values.jobs),
    seed: count('--seed', values.seed),
    spotInterruptionRate: share('--spot-interruptions', values['spot-interruptions']),
    capacityErrorRate: share('--capacity-errors', values['capacity-errors']),
    ecsThrottleRate: share('--ecs-throttling', values['ecs-throttling']),
    gitHubFaults: { serverErrorRate: share('--github-errors', values['github-errors']), secondaryRateLimitRate: share('--rate-limits', values['rate-limits']) },
    printLogs: values.logs,
    ...(interactive ? { onProgress: showProgress } : {}),
  });
  if (interactive) process.stdout.write('\n');

  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const color = Boolean(process.stdout.isTTY);
    process.stdout.write(`\n${renderJobTable(report, { color, maxRows: 50 })}\n\n${renderSummary(report, { color })}\n`);
  }
  if (values.timeline) {
    const file = values.timeline;
    writeFileSync(file, file.endsWith('.svg') ? renderTimelineSvg(report) : renderTimelineHtml(report));
    if (!values.json) process.stdout.write(`\nTimeline written to ${file}\n`);
  }
  const { leftovers, secretsLeaked, jobs, jobsServed } = report.summary;
  if (leftovers.registrations + leftovers.jitFiles + leftovers.tasks + secretsLeaked > 0 || jobsServed < jobs) process.exitCode = 1;
}

function showProgress(p: SandboxProgress): void {
  const line = `${(p.elapsedMs / 1000).toFixed(1)} s  jobs: ${p.queued} queued, ${p.running} running, ${p.done}/${p.total} done  runners live: ${p.runnersLive}  Spot interruptions: ${p.interruptions}  executions ended: ${p.executionsEnded}`;
  process.stdout.write(`\r${line.padEnd(process.stdout.columns ? process.stdout.columns - 1 : line.length)}`);
}

function count(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} takes a whole number of at least 1, not "${value}".`);
  return n;
}

function share(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`${flag} takes a share between 0 and 1 (e.g. 0.1), not "${value}".`);
  return n;
}

class UsageError extends Error {}

main().catch((error: unknown) => {
  process.stderr.write(error instanceof UsageError ? `${error.message}\nSee npm start -- --help\n` : `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
