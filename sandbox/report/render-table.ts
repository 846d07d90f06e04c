// The sandbox report as plain text for a terminal: one row per job, and the summary numbers. The job columns are
// shared with the HTML page (render-timeline.ts), so both views show the same values under the same headers.
import type { JobRow, SandboxReport } from './types';

export interface RenderTextOptions {
  /** Colour with ANSI escapes. @default false - plain text, safe to pipe into a file */
  color?: boolean;
}

export interface RenderJobTableOptions extends RenderTextOptions {
  /** Show at most this many jobs, then one "… N more jobs" line. @default - every job */
  maxRows?: number;
}

/** How a value reads: good (green), bad (red), warn (yellow) or plain. */
export type Tone = 'good' | 'bad' | 'warn' | 'plain';

export interface Cell {
  text: string;
  tone: Tone;
}

export interface JobColumn {
  header: string;
  align: 'left' | 'right';
  /** `compact` shortens long values to keep a terminal row on one line. */
  cell(job: JobRow, compact: boolean): Cell;
}

const NONE = '–';
const RUNNERS_MAX_CHARS = 36;
const REPO_MAX_CHARS = 40;

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return NONE;
  if (ms < 0) return `-${formatDuration(-ms)}`;
  const wholeMs = Math.round(ms);
  if (wholeMs < 1000) return `${wholeMs} ms`;
  const tenthsOfSecond = Math.round(ms / 100);
  if (tenthsOfSecond < 600) return `${(tenthsOfSecond / 10).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (hours > 0) return `${hours} h ${minutes} min`;
  return `${minutes} min ${seconds % 60} s`;
}

/** "1 task", "2 tasks": English plurals of the nouns the reports use. */
export function countOf(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}

/** Shortens in the middle: runner names differ at the end (`-1`, `-2`), repositories at both ends. */
export function truncateMiddle(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  if (maxChars <= 1) return '…'.slice(0, maxChars);
  const keep = maxChars - 1;
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (keep - head))}`;
}

/** "a, b, … +3": as many whole names as fit, then how many were left out. */
export function shortenList(names: readonly string[], maxChars: number): string {
  if (names.length === 0) return NONE;
  const all = names.join(', ');
  if (all.length <= maxChars) return all;
  for (let keep = names.length - 1; keep >= 1; keep--) {
    const text = `${names.slice(0, keep).join(', ')}, … +${names.length - keep}`;
    if (text.length <= maxChars) return text;
  }
  const suffix = names.length > 1 ? ` +${names.length - 1}` : '';
  return truncateMiddle(names[0] ?? '', Math.max(1, maxChars - suffix.length)) + suffix;
}

const plain = (text: string): Cell => ({ text, tone: 'plain' });

function outcomeTone(outcome: string): Tone {
  if (outcome === 'Done') return 'good';
  if (outcome === 'Failed' || outcome === 'No matching runner class') return 'bad';
  return 'plain';
}

function conclusionTone(conclusion: string): Tone {
  if (conclusion === 'success') return 'good';
  if (conclusion === 'failure' || conclusion === 'cancelled' || conclusion === 'timed_out') return 'bad';
  if (conclusion === 'queued' || conclusion === 'in_progress') return 'warn';
  return 'plain';
}

export const JOB_COLUMNS: readonly JobColumn[] = [
  { header: 'JOB', align: 'right', cell: (job) => plain(String(job.jobId)) },
  { header: 'REPO', align: 'left', cell: (job, compact) => plain(compact ? truncateMiddle(job.repo, REPO_MAX_CHARS) : job.repo) },
  {
    header: 'RUNNERS',
    align: 'left',
    cell: (job, compact) => plain(compact ? shortenList(job.runners, RUNNERS_MAX_CHARS) : job.runners.join(', ') || NONE),
  },
  { header: 'CAPACITY', align: 'left', cell: (job) => plain(job.capacity ?? NONE) },
  { header: 'ATTEMPTS', align: 'right', cell: (job) => plain(String(job.attempts)) },
  {
    header: 'INTERRUPTIONS',
    align: 'right',
    cell: (job) => ({ text: String(job.interruptions), tone: job.interruptions > 0 ? 'warn' : 'plain' }),
  },
  { header: 'OUTCOME', align: 'left', cell: (job) => ({ text: job.outcome, tone: outcomeTone(job.outcome) }) },
  { header: 'CONCLUSION', align: 'left', cell: (job) => ({ text: job.jobConclusion, tone: conclusionTone(job.jobConclusion) }) },
  {
    header: 'QUEUED→STARTED',
    align: 'right',
    cell: (job) => plain(job.queueToStartMs === null ? NONE : formatDuration(job.queueToStartMs)),
  },
];

const ANSI: Record<Tone | 'bold', string> = { good: '\x1b[32m', bad: '\x1b[31m', warn: '\x1b[33m', bold: '\x1b[1m', plain: '' };
const ANSI_RESET = '\x1b[0m';

function paint(text: string, style: Tone | 'bold', color: boolean): string {
  const code = ANSI[style];
  return color && code !== '' && text !== '' ? `${code}${text}${ANSI_RESET}` : text;
}

/** Pads on the visible text, then colours, so escapes never shift a column. */
function padCell(cell: Cell, width: number, align: 'left' | 'right', color: boolean): string {
  const padding = ' '.repeat(Math.max(0, width - cell.text.length));
  const painted = paint(cell.text, cell.tone, color);
  return align === 'right' ? padding + painted : painted + padding;
}

const COLUMN_GAP = '  ';

export function renderJobTable(report: SandboxReport, options: RenderJobTableOptions = {}): string {
  const color = options.color ?? false;
  const maxRows = options.maxRows === undefined ? report.jobs.length : Math.max(0, Math.floor(options.maxRows));
  const shown = report.jobs.slice(0, maxRows);
  const hidden = report.jobs.length - shown.length;

  const header: Cell[] = JOB_COLUMNS.map((column) => plain(column.header));
  const rows: Cell[][] = shown.map((job) => JOB_COLUMNS.map((column) => column.cell(job, true)));
  const widths = JOB_COLUMNS.map((_, index) => Math.max(...[header, ...rows].map((row) => row[index]?.text.length ?? 0)));
  const renderRow = (row: Cell[], isHeader = false): string =>
    row
      .map((cell, index) => {
        const padded = padCell(cell, widths[index] ?? 0, JOB_COLUMNS[index]?.align ?? 'left', color && !isHeader);
        return isHeader ? paint(padded, 'bold', color) : padded;
      })
      .join(COLUMN_GAP);

  const totalWidth = widths.reduce((sum, width) => sum + width, 0) + COLUMN_GAP.length * (widths.length - 1);
  const lines = [renderRow(header, true), '─'.repeat(totalWidth), ...rows.map((row) => renderRow(row))];
  if (report.jobs.length === 0) lines.push('(no jobs)');
  if (hidden > 0) lines.push(`… ${countOf(hidden, 'more job')}`);
  return lines.join('\n');
}

/** The summary as label/value pairs, each value in cells that carry their own tone. */
function summaryLines(report: SandboxReport): Array<{ label: string; value: Cell[] }> {
  const summary = report.summary;
  const zeroIsGood = (count: number, text = String(count)): Cell => ({ text, tone: count === 0 ? 'good' : 'bad' });
  const duration = (ms: number | null): string => (ms === null ? NONE : formatDuration(ms));
  const { registrations, jitFiles, tasks } = summary.leftovers;
  const queueToStart = summary.queueToStartMs;
  const totalCalls = Object.values(summary.gitHubCalls).reduce((sum, count) => sum + count, 0);

  const lines: Array<{ label: string; value: Cell[] }> = [
    {
      label: 'Jobs served',
      value: [{ text: `${summary.jobsServed}/${summary.jobs}`, tone: summary.jobsServed === summary.jobs ? 'good' : 'bad' }],
    },
    { label: 'Executions failed', value: [zeroIsGood(summary.executionsFailed, `${summary.executionsFailed}/${summary.executions}`)] },
    { label: 'Runners launched', value: [plain(String(summary.runnersLaunched))] },
    { label: 'Spot interruptions', value: [plain(String(summary.spotInterruptions))] },
    { label: 'Relaunches', value: [plain(String(summary.relaunches))] },
    { label: 'On-demand fallbacks', value: [plain(String(summary.onDemandFallbacks))] },
    {
      label: 'Leftovers',
      value: [
        zeroIsGood(registrations, countOf(registrations, 'registration')),
        plain(', '),
        zeroIsGood(jitFiles, countOf(jitFiles, 'JIT file')),
        plain(', '),
        zeroIsGood(tasks, countOf(tasks, 'task')),
      ],
    },
    { label: 'Secrets leaked', value: [zeroIsGood(summary.secretsLeaked)] },
    { label: 'Makespan', value: [plain(formatDuration(summary.makespanMs))] },
    {
      label: 'Queue to start',
      value: [plain(`p50 ${duration(queueToStart.p50)}, p95 ${duration(queueToStart.p95)}, max ${duration(queueToStart.max)}`)],
    },
    { label: 'State transitions', value: [plain(String(summary.stateTransitions))] },
    { label: 'GitHub calls', value: [plain(String(totalCalls))] },
  ];
  return lines;
}

/** GitHub calls by endpoint, most called first (ties by endpoint, so the order is stable). */
function gitHubCallsByCount(report: SandboxReport): Array<[endpoint: string, count: number]> {
  return Object.entries(report.summary.gitHubCalls).sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0));
}

export function renderSummary(report: SandboxReport, options: RenderTextOptions = {}): string {
  const color = options.color ?? false;
  const lines = summaryLines(report);
  const calls = gitHubCallsByCount(report);
  const labelWidth = Math.max(...lines.map((line) => line.label.length));
  const out = lines.map(({ label, value }) => `${label.padEnd(labelWidth)}  ${value.map((cell) => paint(cell.text, cell.tone, color)).join('')}`);

  const endpointWidth = Math.max(0, ...calls.map(([endpoint]) => endpoint.length));
  const countWidth = Math.max(0, ...calls.map(([, count]) => String(count).length));
  for (const [endpoint, count] of calls) out.push(`  ${endpoint.padEnd(endpointWidth)}  ${String(count).padStart(countWidth)}`);
  if (report.failures.length > 0) out.push('', paint('Failed executions', 'bad', color));
  for (const failure of report.failures) {
    const job = failure.jobId === null ? 'manual launch' : `job ${failure.jobId}`;
    out.push(`  ${failure.executionName} (${job}): ${failure.error}: ${truncateMiddle(failure.cause, 160)}`);
    out.push(`    ${failure.path.join(' → ')}`);
  }
  return out.join('\n');
}
