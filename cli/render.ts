// Console links and plain-text tables for the terminal. Links are built from ARNs only: no secret is ever in them.
export { formatDuration } from '../sandbox/report/render-table';

export function executionConsoleUrl(region: string, executionArn: string): string {
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

/** arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/TASK_ID (the long ARN format names its cluster). */
export function taskConsoleUrl(region: string, taskArn: string, fallbackCluster: string | undefined): string | undefined {
  const [, cluster, taskId] = /:task\/(?:([^/]+)\/)?([^/]+)$/.exec(taskArn) ?? [];
  const clusterName = cluster ?? fallbackCluster;
  if (!taskId || !clusterName) return undefined;
  return `https://${region}.console.aws.amazon.com/ecs/v2/clusters/${clusterName}/tasks/${taskId}`;
}

/** `2025-01-02 03:04:05` in UTC: the same for every reader of a shared terminal log. */
export function formatTime(date: Date | undefined): string {
  return date ? date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '') : '-';
}

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
