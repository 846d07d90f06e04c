import { formatDuration, renderJobTable, renderSummary, shortenList } from '../../../sandbox/report/render-table';
import { ODD_RUNNER, buildReport, jobRow } from './fixture';

// eslint-disable-next-line no-control-regex
const ANSI_PATTERN = /\x1b\[[0-9;]*m/g;
const stripAnsi = (text: string): string => text.replace(ANSI_PATTERN, '');
const cellsOf = (line: string): string[] => line.trim().split(/\s{2,}/);

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [999.4, '999 ms'],
    [999.6, '1.0 s'],
    [1_200, '1.2 s'],
    [59_940, '59.9 s'],
    [59_960, '1 min 0 s'],
    [125_000, '2 min 5 s'],
    [3_725_000, '1 h 2 min'],
    [-1_500, '-1.5 s'],
    [Number.NaN, '–'],
  ])('formats %p ms as %p', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('renderJobTable', () => {
  it('renders one row per job with its runners, capacity, attempts, interruptions, outcome, conclusion and wait', () => {
    // GIVEN
    const report = buildReport();

    // WHEN
    const lines = renderJobTable(report).split('\n');

    // THEN
    expect(cellsOf(lines[0] ?? '')).toEqual(['JOB', 'REPO', 'RUNNERS', 'CAPACITY', 'ATTEMPTS', 'INTERRUPTIONS', 'OUTCOME', 'CONCLUSION', 'QUEUED→STARTED']);
    expect(lines.slice(2).map(cellsOf)).toEqual([
      ['101', 'octo-org/hello-world', 'fleet-101-1, fleet-101-2', 'spot', '2', '1', 'Done', 'success', '15.0 s'],
      ['102', 'octo-org/api', 'fleet-102-1, fleet-102-2', 'spot', '2', '0', 'Done', 'success', '15.4 s'],
      ['103', 'octo-org/web', ODD_RUNNER, 'on-demand', '1', '0', 'Done', 'success', '15.5 s'],
    ]);
  });

  it('aligns the columns: every line has the same width, text columns start and numbers end under their header', () => {
    // GIVEN
    const report = buildReport();

    // WHEN
    const [header = '', rule = '', ...rows] = renderJobTable(report).split('\n');

    // THEN
    expect(new Set([header, rule, ...rows].map((line) => line.length))).toEqual(new Set([header.length]));
    expect(rule).toMatch(/^─+$/);
    const repoColumn = header.indexOf('REPO');
    const outcomeColumn = header.indexOf('OUTCOME');
    const attemptsEnd = header.indexOf('ATTEMPTS') + 'ATTEMPTS'.length;
    for (const [index, row] of rows.entries()) {
      const job = report.jobs[index];
      expect(row.indexOf(job?.repo ?? '?')).toBe(repoColumn);
      expect(row.slice(outcomeColumn)).toMatch(/^Done /);
      expect(row.slice(0, attemptsEnd)).toMatch(new RegExp(` ${job?.attempts ?? '?'}$`));
    }
  });

  it('shows the first maxRows jobs and then says how many more there are', () => {
    // GIVEN
    const report = buildReport();

    // WHEN
    const lines = renderJobTable(report, { maxRows: 2 }).split('\n');

    // THEN
    expect(lines).toHaveLength(2 + 2 + 1);
    expect(lines.slice(2, 4).map((line) => cellsOf(line)[0])).toEqual(['101', '102']);
    expect(lines.at(-1)).toBe('… 1 more job');
  });

  it('shows every job and no "more" line when maxRows is not exceeded', () => {
    const table = renderJobTable(buildReport(), { maxRows: 3 });

    expect(table.split('\n')).toHaveLength(5);
    expect(table).not.toContain('more job');
  });

  it('shortens a long list of runners to whole names and a count of the rest', () => {
    // GIVEN
    const runners = Array.from({ length: 6 }, (_, index) => `fleet-repository-with-a-long-name-${index + 1}`);
    const report = buildReport({ jobs: [jobRow({ jobId: 7, runners })] });

    // WHEN
    const row = renderJobTable(report).split('\n')[2] ?? '';

    // THEN
    const runnersCell = cellsOf(row)[2] ?? '';
    expect(runnersCell.length).toBeLessThanOrEqual(36);
    expect(runnersCell).toMatch(/^fleet-repo.*\+\d$/);
    expect(shortenList(runners.slice(0, 2), 80)).toBe(`${runners[0]}, ${runners[1]}`);
    expect(shortenList(runners, 60)).toBe(`${runners[0]}, … +5`);
  });

  it('writes no ANSI escapes when color is false or not given', () => {
    const report = buildReport();

    expect(renderJobTable(report)).not.toMatch(ANSI_PATTERN);
    expect(renderJobTable(report, { color: false })).not.toMatch(ANSI_PATTERN);
  });

  it('colours outcomes and conclusions when color is true, without moving a column', () => {
    // GIVEN
    const report = buildReport({ jobs: [jobRow({ jobId: 1 }), jobRow({ jobId: 2, outcome: 'Failed', jobConclusion: 'failure' })] });

    // WHEN
    const table = renderJobTable(report, { color: true });

    // THEN
    expect(table).toContain('\x1b[32mDone\x1b[0m');
    expect(table).toContain('\x1b[31mFailed\x1b[0m');
    expect(table).toContain('\x1b[31mfailure\x1b[0m');
    expect(stripAnsi(table)).toBe(renderJobTable(report, { color: false }));
  });

  it('renders only the header and a note for a run without jobs', () => {
    const lines = renderJobTable(buildReport({ jobs: [] })).split('\n');

    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('(no jobs)');
  });
});

describe('renderSummary', () => {
  it('lists the summary numbers as aligned label and value lines', () => {
    // GIVEN
    const report = buildReport();

    // WHEN
    const lines = renderSummary(report).split('\n');

    // THEN
    const mainLines = lines.filter((line) => !line.startsWith('  '));
    expect(mainLines.map((line) => line.split(/\s{2,}/))).toEqual([
      ['Jobs served', '3/3'],
      ['Executions failed', '0/3'],
      ['Runners launched', '5'],
      ['Spot interruptions', '1'],
      ['Relaunches', '2'],
      ['On-demand fallbacks', '1'],
      ['Leftovers', '1 registration, 0 JIT files, 0 tasks'],
      ['Secrets leaked', '0'],
      ['Makespan', '1 min 37 s'],
      ['Queue to start', 'p50 15.4 s, p95 15.5 s, max 15.5 s'],
      ['State transitions', '41'],
      ['GitHub calls', '23'],
    ]);
    const valueColumn = 'On-demand fallbacks  '.length;
    for (const line of mainLines) expect(line.slice(valueColumn - 2, valueColumn)).toBe('  ');
    for (const line of mainLines) expect(line[valueColumn]).not.toBe(' ');
  });

  it('lists GitHub calls by endpoint, most called first, counts aligned', () => {
    // WHEN
    const endpointLines = renderSummary(buildReport())
      .split('\n')
      .filter((line) => line.startsWith('  '));

    // THEN
    expect(endpointLines.map((line) => line.trim().split(/\s{2,}/))).toEqual([
      ['GET /repos/{owner}/{repo}/actions/jobs/{job_id}', '9'],
      ['DELETE /orgs/{org}/actions/runners/{runner_id}', '5'],
      ['POST /orgs/{org}/actions/runners/generate-jitconfig', '5'],
      ['POST /app/installations/{installation_id}/access_tokens', '3'],
      ['POST /repos/{owner}/{repo}/actions/jobs/{job_id}/rerun', '1'],
    ]);
    expect(new Set(endpointLines.map((line) => line.length)).size).toBe(1);
  });

  it('shows a leaked secret and missing queue times plainly', () => {
    // GIVEN
    const base = buildReport();
    const report = buildReport({ summary: { ...base.summary, secretsLeaked: 2, queueToStartMs: { p50: null, p95: null, max: null } } });

    // WHEN
    const summary = renderSummary(report);

    // THEN
    expect(summary).toMatch(/^Secrets leaked +2$/m);
    expect(summary).toMatch(/^Queue to start +p50 –, p95 –, max –$/m);
  });

  it('colours zero leftovers and leaks green and non-zero ones red when color is true', () => {
    // GIVEN
    const report = buildReport();

    // WHEN
    const summary = renderSummary(report, { color: true });

    // THEN
    expect(summary).toContain('\x1b[32m3/3\x1b[0m');
    expect(summary).toContain('\x1b[31m1 registration\x1b[0m');
    expect(summary).toContain('\x1b[32m0 JIT files\x1b[0m');
    expect(summary.split('\n').find((line) => line.startsWith('Secrets leaked'))?.endsWith(' \x1b[32m0\x1b[0m')).toBe(true);
    expect(stripAnsi(summary)).toBe(renderSummary(report));
    expect(renderSummary(report)).not.toMatch(ANSI_PATTERN);
  });

  it('colours unserved jobs and failed executions red', () => {
    const base = buildReport();
    const report = buildReport({ summary: { ...base.summary, jobsServed: 2, executionsFailed: 1 } });

    const summary = renderSummary(report, { color: true });

    expect(summary).toContain('\x1b[31m2/3\x1b[0m');
    expect(summary).toContain('\x1b[31m1/3\x1b[0m');
  });

  it('lists each failed execution with its job, error, cause and path', () => {
    const report = buildReport({
      failures: [{ executionName: 'job-103-1', jobId: 103, error: 'GitHubUnavailable', cause: 'GitHub answered 503 five times', path: ['Mint token', 'Clean up', 'Failed'] }],
    });

    const summary = renderSummary(report);

    expect(summary).toContain('Failed executions\n  job-103-1 (job 103): GitHubUnavailable: GitHub answered 503 five times\n    Mint token → Clean up → Failed');
    expect(renderSummary(buildReport())).not.toContain('Failed executions');
  });
});
