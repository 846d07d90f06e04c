// The sandbox run as a picture: one row per runner, its phases as coloured bars on a shared time axis, and a
// standalone HTML page around it. Output depends only on the report (no random ids, no clock), so two renders
// of the same run are byte-identical and diff cleanly.
import { JOB_COLUMNS, countOf, formatDuration, renderSummary, truncateMiddle, type Tone } from './render-table';
import type { Phase, PhaseKind, RunnerRow, SandboxReport } from './types';

export interface RenderTimelineOptions {
  /** Draw at most this many runners, then a note about the rest. @default 400 */
  maxRows?: number;
  /**
   * The page's summary text instead of the sandbox's (whose leftovers, leaks and GitHub calls only a sandbox run
   * knows): the CLI's audit of a real execution passes its own.
   */
  summaryText?: string;
}

export const MAX_TIMELINE_ROWS = 400;

// Okabe-Ito based: distinguishable with the common colour-vision deficiencies; interrupted is also hatched.
export const PHASE_STYLE: Record<PhaseKind, { label: string; fill: string }> = {
  minting: { label: 'Minting token', fill: '#9B72CF' },
  starting: { label: 'Starting', fill: '#8FA8C2' },
  waiting: { label: 'Waiting for a job', fill: '#E69F00' },
  'running-job': { label: 'Running job', fill: '#009E73' },
  interrupted: { label: 'Interrupted', fill: '#D55E00' },
  'cleaning-up': { label: 'Cleaning up', fill: '#4B5563' },
};
const PHASE_KINDS = Object.keys(PHASE_STYLE) as PhaseKind[];

const FONT = "system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', Helvetica, Arial, sans-serif";
const MARGIN = 20;
const LABEL_WIDTH = 230;
const TAG_WIDTH = 34;
const PLOT_WIDTH = 820;
const NOTE_GAP = 30;
const NOTE_WIDTH = 230;
const ROW_HEIGHT = 30;
const BAR_HEIGHT = 16;
const HEADER_HEIGHT = 128;
const FOOTER_HEIGHT = 44;
const PLOT_X = MARGIN + LABEL_WIDTH + TAG_WIDTH;
const SVG_WIDTH = PLOT_X + PLOT_WIDTH + NOTE_GAP + NOTE_WIDTH + MARGIN;
// A rough average advance per character, to fit text without a font engine.
const CHAR_WIDTH_PER_PX = 0.56;
const BOLD_WIDTH_FACTOR = 1.2;

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for XML and HTML, in element content and in quoted attributes alike. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ENTITIES[char] ?? char);
}

const px = (value: number): string => String(Math.round(value * 10) / 10);

function fitText(text: string, widthPx: number, fontSizePx: number, bold = false): string {
  const charWidthPx = fontSizePx * CHAR_WIDTH_PER_PX * (bold ? BOLD_WIDTH_FACTOR : 1);
  return truncateMiddle(text, Math.max(1, Math.floor(widthPx / charWidthPx)));
}

function firstStartMs(row: RunnerRow): number {
  return row.phases.reduce((earliest, phase) => Math.min(earliest, phase.startMs), Number.POSITIVE_INFINITY);
}

/** Runners in the order they started; rows without phases go last, keeping the report's order otherwise. */
function timelineRows(report: SandboxReport): RunnerRow[] {
  return [...report.runners].sort((a, b) => {
    const startA = firstStartMs(a);
    const startB = firstStartMs(b);
    return startA === startB ? 0 : startA < startB ? -1 : 1;
  });
}

const isStolen = (row: RunnerRow): boolean =>
  row.ranJobId !== null && row.launchedForJobId !== null && row.ranJobId !== row.launchedForJobId;

/** What the right-hand column says about a runner, and whether it deserves attention. */
function runnerNote(row: RunnerRow): { text: string; tone: Tone } {
  if (isStolen(row)) return { text: `ran job ${row.ranJobId}, not ${row.launchedForJobId}`, tone: 'warn' };
  switch (row.outcome) {
    case 'served-job':
    case 'served-other-job':
      return { text: row.ranJobId === null ? 'served a job' : `job ${row.ranJobId}`, tone: 'good' };
    case 'spot-interrupted':
      return { text: row.ranJobId === null ? 'Spot interrupted' : `Spot interrupted in job ${row.ranJobId}`, tone: 'bad' };
    case 'capacity-unavailable':
      return { text: 'no capacity', tone: 'bad' };
    case 'runner-failed':
      return { text: 'runner failed', tone: 'bad' };
    case 'launch-failed':
      return { text: 'launch failed', tone: 'bad' };
    case 'idle':
      return { text: 'idle, no job', tone: 'plain' };
  }
}

const NOTE_COLOR: Record<Tone, string> = { good: '#1F2937', bad: '#B42318', warn: '#9A3412', plain: '#6B7280' };

function jobsOf(row: RunnerRow): string {
  const launchedFor = row.launchedForJobId === null ? 'manual launch' : `launched for job ${row.launchedForJobId}`;
  const ran = row.ranJobId === null ? 'ran no job' : `ran job ${row.ranJobId}`;
  return `${launchedFor}, ${ran}`;
}

/** 1, 2 or 5 times a power of ten seconds (or whole minutes), giving about `target` ticks. */
function tickStepMs(spanMs: number, target = 10): number {
  const raw = spanMs / target;
  const steps = [100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000];
  return steps.find((step) => step >= raw) ?? Math.ceil(raw / 3_600_000) * 3_600_000;
}

function tickLabel(offsetMs: number, stepMs: number): string {
  if (stepMs >= 60_000) return offsetMs === 0 ? '0' : `${offsetMs / 60_000} min`;
  const seconds = offsetMs / 1000;
  return `${stepMs < 1000 ? seconds.toFixed(1) : String(Math.round(seconds))} s`;
}

function renderLegend(y: number): string {
  const parts: string[] = [];
  let x = MARGIN;
  for (const kind of PHASE_KINDS) {
    const style = PHASE_STYLE[kind];
    const fill = kind === 'interrupted' ? 'url(#hatch-interrupted)' : style.fill;
    parts.push(
      `<g class="legend-entry" data-kind="${kind}"><rect class="swatch" x="${px(x)}" y="${px(y - 10)}" width="14" height="14" rx="2" fill="${fill}"/>` +
        `<text x="${px(x + 20)}" y="${px(y + 1)}">${escapeXml(style.label)}</text></g>`,
    );
    x += 20 + style.label.length * 12 * CHAR_WIDTH_PER_PX + 22;
  }
  x += 10;
  for (const capacity of ['spot', 'on-demand'] as const) {
    const label = capacity === 'spot' ? 'Spot' : 'On-demand';
    parts.push(`<g class="legend-entry" data-capacity="${capacity}">${capacityTag(capacity, x, y - 10)}<text x="${px(x + 32)}" y="${px(y + 1)}">${label}</text></g>`);
    x += 32 + label.length * 12 * CHAR_WIDTH_PER_PX + 22;
  }
  return `<g class="legend" font-size="12" fill="#374151">${parts.join('')}</g>`;
}

function capacityTag(capacity: 'spot' | 'on-demand', x: number, y: number): string {
  const spot = capacity === 'spot';
  const border = spot ? 'stroke="#0369A1"' : 'stroke="#9A3412" stroke-dasharray="3 2"';
  return (
    `<g class="capacity capacity-${capacity}"><rect x="${px(x)}" y="${px(y)}" width="26" height="14" rx="3" fill="${spot ? '#E0F2FE' : '#FFF7ED'}" ${border}/>` +
    `<text x="${px(x + 13)}" y="${px(y + 10.5)}" text-anchor="middle" font-size="9" font-weight="700" fill="${spot ? '#0369A1' : '#9A3412'}">${spot ? 'S' : 'OD'}</text></g>`
  );
}

function renderPhase(row: RunnerRow, phase: Phase, x: (ms: number) => number, barY: number, startedAtMs: number): string {
  const left = x(phase.startMs);
  const width = Math.max(1.5, x(phase.endMs) - left);
  const style = PHASE_STYLE[phase.kind];
  const fill = phase.kind === 'interrupted' ? 'url(#hatch-interrupted)' : style.fill;
  const tooltip = [
    `${style.label}: ${formatDuration(phase.endMs - phase.startMs)}`,
    `${formatDuration(phase.startMs - startedAtMs)} → ${formatDuration(phase.endMs - startedAtMs)} after start`,
    `runner ${row.runner} (attempt ${row.attempt})`,
    jobsOf(row),
  ].join('\n');
  const rect =
    `<rect class="phase phase-${phase.kind}" x="${px(left)}" y="${px(barY)}" width="${px(width)}" height="${BAR_HEIGHT}" fill="${fill}">` +
    `<title>${escapeXml(tooltip)}</title></rect>`;
  const duration = formatDuration(phase.endMs - phase.startMs);
  // Only the job's own duration is worth reading at a glance, and only where it fits inside the bar.
  if (phase.kind !== 'running-job' || width < duration.length * 10 * CHAR_WIDTH_PER_PX + 12) return rect;
  return (
    rect +
    `<text class="phase-label" x="${px(left + width / 2)}" y="${px(barY + BAR_HEIGHT / 2 + 3.5)}" text-anchor="middle" font-size="10" fill="#FFFFFF" pointer-events="none">${escapeXml(duration)}</text>`
  );
}

function renderRunnerRow(row: RunnerRow, index: number, y: number, x: (ms: number) => number, startedAtMs: number): string {
  const parts: string[] = [];
  if (index % 2 === 1) parts.push(`<rect class="zebra" x="${MARGIN}" y="${px(y)}" width="${px(SVG_WIDTH - 2 * MARGIN)}" height="${ROW_HEIGHT}" fill="#F3F4F6"/>`);

  // The class name gives way first: capacity and attempt are what set this row apart from its neighbours.
  const detailsSuffix = [row.capacity ?? 'no capacity', ...(row.attempt > 1 ? [`attempt ${row.attempt}`] : [])].map((part) => ` · ${part}`).join('');
  const detailsWidth = LABEL_WIDTH - 12;
  const classWidth = detailsWidth - detailsSuffix.length * 10 * CHAR_WIDTH_PER_PX;
  const details = fitText(row.runnerClass ?? 'no class', Math.max(classWidth, 40), 10) + detailsSuffix;
  parts.push(
    `<text class="runner-name" x="${MARGIN + 6}" y="${px(y + 13)}" font-size="12" font-weight="600" fill="#111827">${escapeXml(fitText(row.runner, LABEL_WIDTH - 12, 12, true))}` +
      `<title>${escapeXml(`${row.runner}\nexecution ${row.executionName}\n${jobsOf(row)}`)}</title></text>`,
    `<text class="runner-details" x="${MARGIN + 6}" y="${px(y + 25)}" font-size="10" fill="#6B7280">${escapeXml(fitText(details, detailsWidth, 10))}</text>`,
  );
  if (row.capacity !== null) parts.push(capacityTag(row.capacity, PLOT_X - TAG_WIDTH + 2, y + (ROW_HEIGHT - 14) / 2));

  const barY = y + (ROW_HEIGHT - BAR_HEIGHT) / 2;
  for (const phase of row.phases) parts.push(renderPhase(row, phase, x, barY, startedAtMs));

  const note = runnerNote(row);
  const weight = note.tone === 'warn' ? ' font-weight="700"' : '';
  parts.push(
    `<text class="runner-note${isStolen(row) ? ' stolen' : ''}" x="${PLOT_X + PLOT_WIDTH + NOTE_GAP}" y="${px(y + 19)}" font-size="11"${weight} fill="${NOTE_COLOR[note.tone]}">` +
      `${escapeXml(fitText(note.text, NOTE_WIDTH, 11, note.tone === 'warn'))}</text>`,
  );
  return `<g class="runner">${parts.join('')}</g>`;
}

export function renderTimelineSvg(report: SandboxReport, options: RenderTimelineOptions = {}): string {
  const maxRows = Math.max(0, Math.floor(options.maxRows ?? MAX_TIMELINE_ROWS));
  const rows = timelineRows(report);
  const drawn = rows.slice(0, maxRows);
  const hidden = rows.length - drawn.length;

  const startMs = report.startedAtMs;
  const spanMs = Math.max(1, report.endedAtMs - report.startedAtMs);
  const x = (ms: number): number => PLOT_X + (Math.min(Math.max(ms - startMs, 0), spanMs) / spanMs) * PLOT_WIDTH;

  const rowsTop = HEADER_HEIGHT;
  const rowsHeight = Math.max(1, drawn.length) * ROW_HEIGHT;
  const rowsBottom = rowsTop + rowsHeight;
  const height = rowsBottom + FOOTER_HEIGHT + (hidden > 0 ? 20 : 0);

  const stepMs = tickStepMs(spanMs);
  const ticks: string[] = [];
  for (let offsetMs = 0; offsetMs <= spanMs + 1e-6; offsetMs += stepMs) {
    const tickX = px(x(startMs + offsetMs));
    const label = escapeXml(tickLabel(offsetMs, stepMs));
    ticks.push(
      `<line x1="${tickX}" y1="${rowsTop - 6}" x2="${tickX}" y2="${rowsBottom + 6}" stroke="#E5E7EB"/>` +
        `<text x="${tickX}" y="${rowsTop - 10}" text-anchor="middle">${label}</text>` +
        `<text x="${tickX}" y="${rowsBottom + 20}" text-anchor="middle">${label}</text>`,
    );
  }

  const summary = report.summary;
  const subtitle = [
    `${summary.jobsServed}/${summary.jobs} jobs served`,
    countOf(rows.length, 'runner'),
    countOf(summary.spotInterruptions, 'Spot interruption'),
    countOf(summary.onDemandFallbacks, 'on-demand fallback'),
    `makespan ${formatDuration(summary.makespanMs)}`,
  ].join(' · ');

  const body = drawn.map((row, index) => renderRunnerRow(row, index, rowsTop + index * ROW_HEIGHT, x, startMs));
  if (drawn.length === 0) {
    body.push(`<text x="${PLOT_X}" y="${rowsTop + 19}" font-size="12" fill="#6B7280">No runners were launched.</text>`);
  }
  const notes: string[] = [];
  if (hidden > 0) {
    notes.push(
      `<text class="more" x="${MARGIN}" y="${rowsBottom + 40}" font-size="12" fill="#6B7280">` +
        `${escapeXml(`… ${countOf(hidden, 'more runner')} not drawn (only the first ${maxRows} by start time)`)}</text>`,
    );
  }

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SVG_WIDTH}" height="${height}" viewBox="0 0 ${SVG_WIDTH} ${height}" font-family="${escapeXml(FONT)}" role="img">`,
    `<title>${escapeXml(report.title)}</title>`,
    '<defs><pattern id="hatch-interrupted" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
      `<rect width="6" height="6" fill="${PHASE_STYLE.interrupted.fill}"/><rect width="2.5" height="6" fill="#8A3300"/></pattern></defs>`,
    `<rect class="background" width="${SVG_WIDTH}" height="${height}" fill="#FFFFFF"/>`,
    `<text class="title" x="${MARGIN}" y="32" font-size="18" font-weight="700" fill="#111827">${escapeXml(report.title)}</text>`,
    `<text class="subtitle" x="${MARGIN}" y="54" font-size="12" fill="#4B5563">${escapeXml(subtitle)}</text>`,
    renderLegend(84),
    `<g class="axis" font-size="11" fill="#6B7280">${ticks.join('')}</g>`,
    `<text x="${MARGIN + 6}" y="${rowsTop - 10}" font-size="11" font-weight="600" fill="#6B7280">RUNNER</text>`,
    `<text x="${PLOT_X + PLOT_WIDTH + NOTE_GAP}" y="${rowsTop - 10}" font-size="11" font-weight="600" fill="#6B7280">JOB</text>`,
    `<g class="rows">${body.join('')}</g>`,
    ...notes,
    '</svg>',
  ].join('\n');
}

const HTML_TONE_CLASS: Record<Tone, string> = { good: 'good', bad: 'bad', warn: 'warn', plain: '' };

function renderJobHtmlTable(report: SandboxReport): string {
  const head = JOB_COLUMNS.map((column) => `<th class="${column.align}">${escapeXml(column.header)}</th>`).join('');
  const rows = report.jobs.map((job) => {
    const cells = JOB_COLUMNS.map((column) => {
      const cell = column.cell(job, false);
      const classes = [column.align, HTML_TONE_CLASS[cell.tone]].filter((name) => name !== '').join(' ');
      return `<td class="${classes}">${escapeXml(cell.text)}</td>`;
    });
    return `<tr>${cells.join('')}</tr>`;
  });
  return `<table class="jobs">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

const PAGE_STYLE = `
body { font-family: ${FONT}; color: #111827; margin: 24px; }
h1 { font-size: 22px; margin: 0 0 16px; }
h2 { font-size: 16px; margin: 28px 0 8px; }
pre { background: #F9FAFB; border: 1px solid #E5E7EB; padding: 12px; display: inline-block; margin: 0; }
.timeline { overflow-x: auto; }
table.jobs { border-collapse: collapse; font-size: 13px; }
table.jobs th, table.jobs td { padding: 4px 10px; border-bottom: 1px solid #E5E7EB; white-space: nowrap; }
table.jobs th { text-align: left; color: #4B5563; font-weight: 600; }
table.jobs .right { text-align: right; font-variant-numeric: tabular-nums; }
.good { color: #047857; } .bad { color: #B42318; font-weight: 600; } .warn { color: #9A3412; }
`;

export function renderTimelineHtml(report: SandboxReport, options: RenderTimelineOptions = {}): string {
  const title = escapeXml(report.title);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><title>${title}</title><style>${PAGE_STYLE}</style></head>`,
    '<body>',
    `<h1>${title}</h1>`,
    '<h2>Summary</h2>',
    `<pre class="summary">${escapeXml(options.summaryText ?? renderSummary(report, { color: false }))}</pre>`,
    '<h2>Timeline</h2>',
    `<div class="timeline">${renderTimelineSvg(report, options)}</div>`,
    `<h2>Jobs (${report.jobs.length})</h2>`,
    renderJobHtmlTable(report),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
