// A manual launch: the same launch request the rule's input transformer writes, validated by the product's own parser.
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { parseLaunchRequest } from '../lambdas/lifecycle/launch-request';
import type { LaunchRequest } from '../statemachine/contracts';
import { UsageError } from './arguments';
import { executionConsoleUrl } from './render';
import type { FleetResources } from './stack-outputs';

const MAX_EXECUTION_NAME_LENGTH = 80;

export interface LaunchOptions {
  repo: string;
  labels: string;
  installationId: string | undefined;
}

export interface LaunchResult {
  request: LaunchRequest;
  executionArn: string;
  consoleUrl: string;
}

export function buildLaunchRequest(options: LaunchOptions): LaunchRequest {
  const parts = options.repo.split('/');
  if (parts.length !== 2) throw new UsageError(`--repo "${options.repo}" is not OWNER/REPO: pass the owner and the repository, e.g. --repo octo-org/hello-world.`);
  const [owner, repo] = parts;
  const labels = options.labels.split(',').map((label) => label.trim());
  // The product's parser names the bad field (InvalidLaunchRequestError), exactly as the state machine would.
  return parseLaunchRequest({ owner, repo, labels, ...(options.installationId !== undefined ? { installationId: options.installationId } : {}) });
}

/** `manual-<repo>-<UTC time to the millisecond>`: readable in the console, unique per launch, ≤ 80 valid characters. */
export function manualExecutionName(repo: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '');
  const room = MAX_EXECUTION_NAME_LENGTH - 'manual--'.length - stamp.length;
  return `manual-${repo.slice(0, room)}-${stamp}`;
}

export async function launch(sfn: SFNClient, resources: FleetResources, options: LaunchOptions, now: Date): Promise<LaunchResult> {
  const request = buildLaunchRequest(options);
  const response = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: resources.stateMachineArn, name: manualExecutionName(request.repo, now), input: JSON.stringify(request) }),
  );
  const executionArn = response.executionArn ?? '';
  return { request, executionArn, consoleUrl: executionConsoleUrl(resources.region, executionArn) };
}
