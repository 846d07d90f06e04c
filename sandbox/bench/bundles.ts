// Each Lambda's bundle, built exactly as the stack builds it, and its cold import time in fresh Node processes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { ENV } from '../../statemachine/contracts';
import { LAMBDA_BUNDLE, LAMBDA_ENTRIES } from '../../stacks/node-function';
import { percentile } from '../report/collect';
import { round } from './round';

const ROOT = path.join(__dirname, '..', '..');

/** Configuration that passes each handler's cold-start checks (no call is made at import time). */
const APP = {
  [ENV.gitHubAppId]: '1',
  [ENV.gitHubApiUrl]: 'https://api.github.com',
  [ENV.privateKeySecretArn]: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:key-AbCdEf',
};
const SCOPE = { [ENV.gitHubScope]: JSON.stringify({ type: 'organization', organization: 'octo-org', runnerGroupId: 1 }) };
const FLEET = {
  [ENV.runnerNamePrefix]: 'ecs',
  [ENV.jitBucketArn]: 'arn:aws:s3:::jit-bucket',
  [ENV.clusterArn]: 'arn:aws:ecs:us-east-1:111111111111:cluster/runners',
  [ENV.maxAttempts]: '5',
};

const COLD_START_ENV: Record<keyof typeof LAMBDA_ENTRIES, Record<string, string>> = {
  jobStarted: { ...APP, [ENV.runnerNamePrefix]: 'ecs', [ENV.jitBucketArn]: 'arn:aws:s3:::jit-bucket', [ENV.stateMachineArn]: 'arn:aws:states:us-east-1:111111111111:stateMachine:lifecycle', [ENV.rerunInterruptedJobs]: 'false', [ENV.maxRunAttempt]: '3' },
  redelivery: { ...APP },
  sweeper: { ...APP, ...SCOPE, ...FLEET, [ENV.maxTaskAgeSeconds]: '23400' },
  webhookRelay: { [ENV.webhookSecretArn]: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:webhook-AbCdEf', [ENV.eventBusName]: 'fleet' },
  gitHubSteps: {
    ...APP,
    ...SCOPE,
    ...FLEET,
    [ENV.runnerClasses]: JSON.stringify([
      {
        name: 'small',
        labels: ['fargate-small'],
        architecture: 'x86_64',
        docker: false,
        capacity: 'spot',
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:111111111111:task-definition/small:1',
        spotCapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT' }],
        onDemandCapacityProviderStrategy: [{ CapacityProvider: 'FARGATE' }],
        maxRunners: 20,
      },
    ]),
    [ENV.onDemandAfterInterruptions]: '2',
    [ENV.rerunInterruptedJobs]: 'false',
    [ENV.maxRunAttempt]: '3',
  },
};

export interface BundleFigures {
  bytes: number;
  gzipBytes: number;
  coldImportMs: { median: number; p95: number; runs: number };
}

export async function measureBundles(runs = 15): Promise<Record<string, BundleFigures>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fleet-bench-'));
  const figures: Record<string, BundleFigures> = {};
  for (const [name, entry] of Object.entries(LAMBDA_ENTRIES) as [keyof typeof LAMBDA_ENTRIES, string][]) {
    const outfile = path.join(dir, name, 'index.mjs');
    await build({
      entryPoints: [path.join(ROOT, entry)],
      bundle: true,
      platform: 'node',
      format: LAMBDA_BUNDLE.format,
      minify: LAMBDA_BUNDLE.minify,
      target: LAMBDA_BUNDLE.target,
      mainFields: [...LAMBDA_BUNDLE.mainFields],
      banner: { js: LAMBDA_BUNDLE.banner },
      outfile,
      logLevel: 'silent',
    });
    const code = readFileSync(outfile);
    figures[name] = { bytes: code.length, gzipBytes: gzipSync(code).length, coldImportMs: coldImport(outfile, COLD_START_ENV[name], runs) };
  }
  return figures;
}

/** Import time of the bundle in `runs` fresh Node processes (module scope included: config, SDK clients). */
function coldImport(file: string, env: Record<string, string>, runs: number): BundleFigures['coldImportMs'] {
  const probe = path.join(path.dirname(file), 'probe.mjs');
  writeFileSync(probe, `const t = performance.now(); await import(${JSON.stringify(`file://${file}`)}); process.stdout.write(String(performance.now() - t));\n`);
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const result = spawnSync(process.execPath, [probe], { env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', ...env }, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`Importing ${file} failed: ${result.stderr}`);
    times.push(Number(result.stdout));
  }
  return { median: round(percentile(times, 50) ?? 0), p95: round(percentile(times, 95) ?? 0), runs };
}
