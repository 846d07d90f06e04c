#!/usr/bin/env -S npx tsx
// `npx fleet`: launch a runner by hand, list recent lifecycles, audit one job's, check the deployment (doctor). Resources come from the stack's outputs.
import { readFile as readFileOnDisk, writeFile as writeFileOnDisk } from 'node:fs/promises';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { InvalidLaunchRequestError } from '../lambdas/shared/errors';
import { HELP, parseFleetArguments, UsageError } from './arguments';
import { renderDoctorJson, renderDoctorReport, runDoctor } from './doctor';
import { findExecutions, NoExecutionFoundError, readAudits, renderAuditHtml, renderExecutionTimeline } from './audit';
import { buildLaunchRequest, launch } from './launch';
import { readFleetResources, StackOutputsError } from './stack-outputs';
import { readStatus, renderStatusTable } from './status';

export interface FleetDeps {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Clients for the region (undefined: the SDK's default chain). Tests pass mocked clients. */
  clients: (region: string | undefined) => { sfn: SFNClient; cloudFormation: CloudFormationClient };
  /** The Secrets Manager client for `doctor` (separate from `clients`, so existing callers stay as they are). */
  secretsManager: (region: string | undefined) => SecretsManagerClient;
  writeFile: (path: string, content: string) => Promise<void>;
  readFile: (path: string) => Promise<string>;
  now: () => Date;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const defaultDeps: FleetDeps = {
  stdout: (text) => void process.stdout.write(`${text}\n`),
  stderr: (text) => void process.stderr.write(`${text}\n`),
  clients: (region) => {
    const config = region ? { region } : {};
    return { sfn: new SFNClient(config), cloudFormation: new CloudFormationClient(config) };
  },
  secretsManager: (region) => new SecretsManagerClient(region ? { region } : {}),
  writeFile: (path, content) => writeFileOnDisk(path, content, 'utf8'),
  readFile: (path) => readFileOnDisk(path, 'utf8'),
  now: () => new Date(),
};

export async function main(argv: readonly string[], overrides: Partial<FleetDeps> = {}): Promise<number> {
  const deps: FleetDeps = { ...defaultDeps, ...overrides };
  try {
    const command = parseFleetArguments(argv);
    if (command.kind === 'help') {
      deps.stdout(command.text);
      return EXIT.ok;
    }
    const { sfn, cloudFormation } = deps.clients(command.region);
    if (command.kind === 'doctor') {
      const report = await runDoctor(
        { stack: command.stack, region: command.region, repo: command.repo, appId: command.appId, apiUrl: command.apiUrl, configPath: command.config },
        { cloudFormation, secretsManager: deps.secretsManager(command.region), readFile: deps.readFile, now: deps.now },
      );
      deps.stdout(command.json ? renderDoctorJson(report) : renderDoctorReport(report));
      return report.ok ? EXIT.ok : EXIT.failed;
    }
    // A bad launch request fails before any AWS call.
    if (command.kind === 'launch') buildLaunchRequest(command);
    const resources = await readFleetResources(cloudFormation, command.stack);
    switch (command.kind) {
      case 'launch': {
        const result = await launch(sfn, resources, command, deps.now());
        deps.stdout(`Started ${result.executionArn}\n${result.consoleUrl}`);
        return EXIT.ok;
      }
      case 'status': {
        const rows = await readStatus(sfn, resources.stateMachineArn, command.limit, deps.now());
        deps.stdout(command.json ? JSON.stringify(rows, null, 2) : renderStatusTable(rows));
        return EXIT.ok;
      }
      case 'audit': {
        const arns = await findExecutions(sfn, resources, command.target, command.search);
        const audits = await readAudits(sfn, arns);
        const timeline = audits.map((audit) => renderExecutionTimeline(audit, resources)).join('\n\n');
        deps.stdout(timeline);
        if (command.html !== undefined) {
          const subject = command.target.kind === 'job' ? `job ${command.target.jobId}` : (arns[0]?.split(':').at(-1) ?? 'execution');
          await deps.writeFile(command.html, renderAuditHtml(audits, `Runner lifecycle of ${subject}`, timeline));
          deps.stdout(`\nWrote the timeline to ${command.html}`);
        }
        return EXIT.ok;
      }
    }
  } catch (error) {
    if (error instanceof UsageError) {
      deps.stderr(`${error.message}\n\n${usageHint(argv)}`);
      return EXIT.usage;
    }
    if (error instanceof InvalidLaunchRequestError) {
      deps.stderr(`${error.message.replace(/ Fix the input.*$/, '')}\nFix --repo, --labels or --installation-id (npx fleet launch --help).`);
      return EXIT.usage;
    }
    if (error instanceof StackOutputsError || error instanceof NoExecutionFoundError) {
      deps.stderr(error.message);
      return EXIT.failed;
    }
    deps.stderr(`fleet: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return EXIT.failed;
  }
}

function usageHint(argv: readonly string[]): string {
  const command = argv[0];
  return command === 'launch' || command === 'status' || command === 'audit' || command === 'doctor' ? `Usage: see npx fleet ${command} --help` : HELP.fleet;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
