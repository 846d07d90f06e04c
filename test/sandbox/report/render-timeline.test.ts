import { renderTimelineHtml, renderTimelineSvg } from '../../../sandbox/report/render-timeline';
import type { PhaseKind } from '../../../sandbox/report/types';
import { ODD_RUNNER, RUNNERS, T0, buildReport, phases, runnerRow } from './fixture';

/**
 * Enough of an XML parser to catch what a renderer gets wrong: unbalanced or crossed tags, a raw `<` or `&`
 * in text or in an attribute value, an attribute without quotes. Returns the problems found.
 */
function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|<!DOCTYPE[^>]*>|([^<]+)|(<)/g;
  for (const match of xml.matchAll(token)) {
    const [whole, closing, name, attributes, selfClosing, text, strayLessThan] = match;
    if (strayLessThan !== undefined) problems.push(`stray < at ${match.index}`);
    const content = text ?? attributes ?? '';
    if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(content)) problems.push(`raw & in ${JSON.stringify(content.slice(0, 60))}`);
    if (attributes !== undefined && /[<]/.test(attributes)) problems.push(`< in attributes of ${name}`);
    if (name === undefined || whole.startsWith('<!')) continue;
    if (closing === '/') {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
    } else if (selfClosing !== '/' && !VOID_HTML_ELEMENTS.has(name)) {
      stack.push(name);
    }
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(' > ')}`);
  return problems;
}
const VOID_HTML_ELEMENTS = new Set(['meta', 'br', 'hr', 'img', 'link', 'input']);

const count = (text: string, pattern: RegExp): number => [...text.matchAll(pattern)].length;
const titlesOf = (svg: string, kind: PhaseKind): string[] =>
  [...svg.matchAll(new RegExp(`<rect class="phase phase-${kind}"[^>]*><title>([^<]*)</title>`, 'g'))].map((match) => match[1] ?? '');

describe('renderTimelineSvg', () => {
  it('renders a well-formed SVG document', () => {
    // WHEN
    const svg = renderTimelineSvg(buildReport());

    // THEN
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(xmlProblems(svg)).toEqual([]);
  });

  it('draws one rect per phase, classed by its kind', () => {
    // GIVEN
    const report = buildReport();
    const allPhases = report.runners.flatMap((runner) => runner.phases);

    // WHEN
    const svg = renderTimelineSvg(report);

    // THEN
    expect(count(svg, /<rect class="phase /g)).toBe(allPhases.length);
    expect(allPhases).toHaveLength(24);
    expect(count(svg, /<rect class="phase phase-interrupted"/g)).toBe(1);
    expect(count(svg, /<rect class="phase phase-running-job"/g)).toBe(4);
    expect(count(svg, /<rect class="phase phase-cleaning-up"/g)).toBe(5);
  });

  it('has a legend entry for every phase kind and for both capacities', () => {
    const svg = renderTimelineSvg(buildReport());

    const legend = /<g class="legend"[^>]*>(.*?)<\/g><\/g>/.exec(svg)?.[0] ?? '';
    for (const label of ['Minting token', 'Starting', 'Waiting for a job', 'Running job', 'Interrupted', 'Cleaning up', 'Spot', 'On-demand']) {
      expect(legend).toContain(`>${label}</text>`);
    }
    expect(count(legend, /class="legend-entry"/g)).toBe(8);
  });

  it('puts the runners in the order they started, one labelled row each', () => {
    const svg = renderTimelineSvg(buildReport());

    const names = [...svg.matchAll(/<text class="runner-name"[^>]*>([^<]*)</g)].map((match) => match[1]);
    expect(names).toEqual(['fleet-101-1', 'fleet-102-1', 'fleet-&lt;&amp;&gt;-103-1', 'fleet-102-2', 'fleet-101-2']);
    expect(svg).toContain('>fargate-small · on-demand · attempt 2</text>');
  });

  it('escapes <, & and > in a runner name everywhere it appears', () => {
    const svg = renderTimelineSvg(buildReport());

    expect(svg).not.toContain(ODD_RUNNER);
    expect(svg).toContain('fleet-&lt;&amp;&gt;-103-1');
    expect(svg).toContain('Sandbox run: Spot interruption, fallback &amp; swap');
  });

  it('gives every phase a tooltip with its kind, duration, runner and jobs', () => {
    const svg = renderTimelineSvg(buildReport());

    expect(titlesOf(svg, 'running-job')).toContain(
      'Running job: 48.0 s\n47.0 s → 1 min 35 s after start\nrunner fleet-101-2 (attempt 2)\nlaunched for job 101, ran job 101',
    );
    expect(titlesOf(svg, 'interrupted')).toEqual([
      'Interrupted: 2.0 s\n30.0 s → 32.0 s after start\nrunner fleet-101-1 (attempt 1)\nlaunched for job 101, ran job 101',
    ]);
    expect(titlesOf(svg, 'minting').every((title) => /^Minting token: \d+ ms\n/.test(title))).toBe(true);
  });

  it('marks runners that ran another job than they were launched for', () => {
    const svg = renderTimelineSvg(buildReport());

    const stolen = [...svg.matchAll(/<text class="runner-note stolen"[^>]*>([^<]*)</g)].map((match) => match[1]);
    expect(stolen).toEqual(['ran job 102, not 103', 'ran job 103, not 102']);
    expect(svg).toMatch(/<text class="runner-note"[^>]*>job 101</);
    expect(svg).toMatch(/<text class="runner-note"[^>]*>Spot interrupted in job 101</);
    expect(svg).toMatch(/<text class="runner-note"[^>]*>no capacity</);
  });

  it('tags each row with its capacity: S for Spot, a dashed OD for on-demand', () => {
    const svg = renderTimelineSvg(buildReport());

    const rows = /<g class="rows">.*<\/g>/s.exec(svg)?.[0] ?? '';
    expect(count(rows, /<g class="capacity capacity-spot">/g)).toBe(4);
    expect(count(rows, /<g class="capacity capacity-on-demand"><rect [^>]*stroke-dasharray/g)).toBe(1);
    expect(count(rows, />OD<\/text>/g)).toBe(1);
  });

  it('labels the time axis in seconds from the start of the run', () => {
    const svg = renderTimelineSvg(buildReport());

    const axis = /<g class="axis"[^>]*>.*?<\/g>/s.exec(svg)?.[0] ?? '';
    expect(axis).toContain('>0 s</text>');
    expect(axis).toContain('>50 s</text>');
    expect(axis).toContain('>100 s</text>');
  });

  it('keeps phases that spill outside the run inside the axis', () => {
    // GIVEN
    const early = runnerRow({ runner: 'early', phases: phases(['minting', -5_000, 1_000], ['running-job', 1_000, 500_000]) });
    const report = buildReport({ runners: [early] });

    // WHEN
    const svg = renderTimelineSvg(report);

    // THEN
    const rects = [...svg.matchAll(/<rect class="phase [^"]*" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((match) => ({
      x: Number(match[1]),
      right: Number(match[1]) + Number(match[2]),
    }));
    const ticks = [...svg.matchAll(/<line x1="([\d.]+)"/g)].map((match) => Number(match[1]));
    expect(Math.min(...rects.map((rect) => rect.x))).toBeCloseTo(Math.min(...ticks));
    expect(Math.max(...rects.map((rect) => rect.right))).toBeCloseTo(Math.max(...ticks));
  });

  it('grows in height with the number of runners', () => {
    const heightOf = (svg: string): number => Number(/^<svg [^>]*height="(\d+)"/.exec(svg)?.[1]);

    const five = heightOf(renderTimelineSvg(buildReport()));
    const two = heightOf(renderTimelineSvg(buildReport({ runners: RUNNERS.slice(0, 2) })));

    expect(five).toBeGreaterThan(two);
  });

  it('draws at most 400 runners and says how many were left out', () => {
    // GIVEN
    const runners = Array.from({ length: 403 }, (_, index) =>
      runnerRow({ runner: `fleet-${index}`, phases: phases(['running-job', index * 10, index * 10 + 5_000]) }),
    );

    // WHEN
    const svg = renderTimelineSvg(buildReport({ runners }));

    // THEN
    expect(count(svg, /<g class="runner">/g)).toBe(400);
    expect(svg).toContain('… 3 more runners not drawn (only the first 400 by start time)');
    expect(svg).not.toContain('>fleet-400<');
  });

  it('says so when no runner was launched', () => {
    const svg = renderTimelineSvg(buildReport({ runners: [] }));

    expect(svg).toContain('No runners were launched.');
    expect(xmlProblems(svg)).toEqual([]);
  });

  it('renders the same bytes for the same report whatever the clock says', () => {
    // GIVEN
    const report = buildReport();
    jest.useFakeTimers({ now: T0 });

    try {
      // WHEN
      const first = renderTimelineHtml(report);
      jest.setSystemTime(T0 + 86_400_000);
      const second = renderTimelineHtml(report);

      // THEN
      expect(second).toBe(first);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('renderTimelineHtml', () => {
  it('is a standalone page with the title, the plain summary, the SVG and the job table', () => {
    // GIVEN
    const report = buildReport();

    // WHEN
    const html = renderTimelineHtml(report);

    // THEN
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<title>Sandbox run: Spot interruption, fallback &amp; swap</title>');
    expect(html).toContain(renderTimelineSvg(report));
    expect(html).toMatch(/<pre class="summary">Jobs served +3\/3\n/);
    // eslint-disable-next-line no-control-regex
    expect(html).not.toMatch(/\x1b\[/);
    expect(html).not.toMatch(/<script|<link|\ssrc=|url\(http/);
    expect(xmlProblems(html.replace('<!DOCTYPE html>', ''))).toEqual([]);
  });

  it('has one table row per job with its values, escaped', () => {
    const html = renderTimelineHtml(buildReport());

    const body = /<tbody>(.*)<\/tbody>/s.exec(html)?.[1] ?? '';
    const rows = [...body.matchAll(/<tr>(.*?)<\/tr>/g)].map((match) => [...(match[1] ?? '').matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((cell) => cell[1]));
    expect(rows).toEqual([
      ['101', 'octo-org/hello-world', 'fleet-101-1, fleet-101-2', 'spot', '2', '1', 'Done', 'success', '15.0 s'],
      ['102', 'octo-org/api', 'fleet-102-1, fleet-102-2', 'spot', '2', '0', 'Done', 'success', '15.4 s'],
      ['103', 'octo-org/web', 'fleet-&lt;&amp;&gt;-103-1', 'on-demand', '1', '0', 'Done', 'success', '15.5 s'],
    ]);
  });

});
