// Reading lifecycle executions back from Step Functions: the recent ones, their documents and their histories.
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionListItem,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';

/** DescribeExecution calls in flight at once: fast enough, and well under the API's throttle. */
export const DESCRIBE_CONCURRENCY = 5;

/** The most recent executions, newest first (ListExecutions' own order), at most `limit`. */
export async function listRecentExecutions(sfn: SFNClient, stateMachineArn: string, limit: number): Promise<ExecutionListItem[]> {
  const out: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: Math.min(1000, limit - out.length), ...(nextToken ? { nextToken } : {}) }));
    out.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken && out.length < limit);
  return out.slice(0, limit);
}

export async function describeExecutions(sfn: SFNClient, executions: readonly ExecutionListItem[]): Promise<DescribeExecutionCommandOutput[]> {
  return mapConcurrently(executions, DESCRIBE_CONCURRENCY, (e) => sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn })));
}

/** Every event of an execution, oldest first. */
export async function readHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, includeExecutionData: true, ...(nextToken ? { nextToken } : {}) }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

export async function mapConcurrently<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** A JSON document from the API, or undefined when absent or not JSON (never throws: the CLI only reads). */
export function parseDocument(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The request of an execution's input: a launch request, or the state a handoff starts with. */
export function requestOf(input: unknown): { owner?: unknown; repo?: unknown; jobId?: unknown } | undefined {
  if (input === null || typeof input !== 'object') return undefined;
  if ('request' in input && input.request !== null && typeof input.request === 'object') return input.request;
  return input;
}

export function jobIdOfInput(input: unknown): number | null {
  const jobId = requestOf(input)?.jobId;
  return typeof jobId === 'number' ? jobId : typeof jobId === 'string' && /^\d+$/.test(jobId) ? Number(jobId) : null;
}

/** Handoffs are named for the job they launch for (lambdas/job-started: `job-<id>-runner-<n>-handoff`). */
export function handoffJobId(executionName: string): number | null {
  const match = /^job-(\d+)-runner-\d+-handoff$/.exec(executionName);
  return match?.[1] ? Number(match[1]) : null;
}

export function nameOfExecution(executionArn: string): string {
  return executionArn.split(':').at(-1) ?? executionArn;
}
