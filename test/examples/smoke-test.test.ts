import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as z from 'zod';

const ROOT = join(__dirname, '../..');
const WORKFLOW_TEXT = readFileSync(join(ROOT, 'examples/smoke-test.yml'), 'utf8');

const stepSchema = z.object({
  id: z.string().optional(),
  name: z.string(),
  uses: z.string().optional(),
  run: z.string().optional(),
  if: z.string().optional(),
  with: z.record(z.string(), z.union([z.string(), z.boolean(), z.number()])).optional(),
  env: z.record(z.string(), z.string()).optional(),
  'continue-on-error': z.boolean().optional(),
});
const serviceSchema = z.object({ image: z.string(), ports: z.array(z.union([z.string(), z.number()])).optional(), options: z.string().optional() });
const workflowSchema = z.object({
  name: z.string(),
  on: z.object({ workflow_dispatch: z.null() }).passthrough(),
  permissions: z.record(z.string(), z.string()),
  jobs: z.record(
    z.string(),
    z.object({
      'runs-on': z.array(z.string()),
      'timeout-minutes': z.number(),
      services: z.record(z.string(), serviceSchema).optional(),
      steps: z.array(stepSchema).min(1),
    }),
  ),
});
type Job = z.infer<typeof workflowSchema>['jobs'][string];

const workflow = workflowSchema.parse(parse(WORKFLOW_TEXT));
const jobs = Object.entries(workflow.jobs);

/** The runner classes of the README's example configuration ("Deploy to AWS", step 1). */
function readmeRunnerClasses(): { name: string; labels: string[]; docker: boolean }[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => match[1] ?? '').find((json) => json.includes('"runnerClasses"'));
  if (!block) throw new Error('README.md has no ```json block with "runnerClasses" (the example configuration)');
  const example = z
    .object({ fleet: z.object({ runnerClasses: z.array(z.object({ name: z.string(), labels: z.array(z.string()), docker: z.boolean().default(false) }).passthrough()) }).passthrough() })
    .parse(JSON.parse(`{${block}}`));
  return example.fleet.runnerClasses;
}

/** The image a `docker run` line starts: the first word after `docker run` that is neither an option nor its value. */
function dockerRunImages(script: string): string[] {
  const optionsWithValue = new Set(['-v', '--volume', '-e', '--env', '--name', '--network', '-w', '--workdir', '--entrypoint', '-p', '--publish', '-u', '--user']);
  return [...script.matchAll(/docker run ([^\n)]*)/g)].map((match) => {
    const words = (match[1] ?? '').match(/"[^"]*"|\S+/g) ?? [];
    for (let i = 0; i < words.length; i++) {
      const word = words[i] ?? '';
      if (optionsWithValue.has(word)) i++;
      else if (!word.startsWith('-')) return word.replace(/^"|"$/g, '');
    }
    throw new Error(`no image in: docker run ${match[1]}`);
  });
}

function usesDocker(job: Job): boolean {
  return Boolean(job.services) || job.steps.some((step) => step.uses?.startsWith('docker://') || /\bdocker\b/.test(step.run ?? ''));
}

describe('examples/smoke-test.yml', () => {
  it('is started by hand (workflow_dispatch), with a read-only token', () => {
    expect(workflow.on).toHaveProperty('workflow_dispatch');
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('pins every action to a full commit SHA, noting its version, or to a tagged docker:// image', () => {
    const uses = jobs.flatMap(([, job]) => job.steps.flatMap((step) => (step.uses ? [step.uses] : [])));
    expect(uses.length).toBeGreaterThan(0);
    for (const action of uses) {
      expect(action).toMatch(/^(?:[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@[0-9a-f]{40}|docker:\/\/[\w./-]+:[\w.-]+)$/);
    }
    for (const line of WORKFLOW_TEXT.split('\n').filter((text) => /uses: [\w.-]+\/[\w.-]+@/.test(text))) {
      expect(line).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  it('uses no latest tag, and an explicit tag on every image it runs or builds from', () => {
    const images = [
      ...jobs.flatMap(([, job]) => Object.values(job.services ?? {}).map((service) => service.image)),
      ...jobs.flatMap(([, job]) => job.steps.flatMap((step) => (step.uses?.startsWith('docker://') ? [step.uses.slice('docker://'.length)] : []))),
      ...jobs.flatMap(([, job]) => job.steps.flatMap((step) => dockerRunImages(step.run ?? ''))),
      ...[...WORKFLOW_TEXT.matchAll(/FROM (\S+?)(?:\\n|\s)/g)].map((match) => match[1] ?? ''),
    ];
    expect(images.length).toBeGreaterThanOrEqual(4);
    for (const image of images) expect(image).toMatch(/^[\w./-]+:(?!latest\b)[\w.$-]+$/);
    expect(WORKFLOW_TEXT).not.toMatch(/\blatest\b/);
  });

  it('runs each job on self-hosted plus a class label from the README\'s example configuration, one job per class', () => {
    const classes = readmeRunnerClasses();
    const covered = new Set<string>();
    for (const [id, job] of jobs) {
      const runsOn = job['runs-on'];
      expect(runsOn).toContain('self-hosted');
      const runnerClass = classes.find((cls) => runsOn.some((label) => cls.labels.includes(label)));
      if (!runnerClass) throw new Error(`job ${id} runs on [${runsOn.join(', ')}], which no class of the README's example has`);
      covered.add(runnerClass.name);
    }
    expect([...covered].sort()).toEqual(classes.map((cls) => cls.name).sort());
  });

  it('uses Docker only in jobs of a class with "docker": true (Fargate cannot run a Docker daemon)', () => {
    const classes = readmeRunnerClasses();
    for (const [, job] of jobs) {
      const runnerClass = classes.find((cls) => job['runs-on'].some((label) => cls.labels.includes(label)));
      expect(usesDocker(job)).toBe(runnerClass?.docker ?? false);
    }
  });

  it('proves every Docker capability in the docker job: docker run, docker build, a healthy service it talks to, a container action', () => {
    const docker = workflow.jobs['docker'];
    if (!docker) throw new Error('no docker job');
    const scripts = docker.steps.map((step) => step.run ?? '').join('\n');
    expect(scripts).toMatch(/docker run --rm/);
    expect(scripts).toMatch(/docker build /);
    const redis = docker.services?.['redis'];
    expect(redis?.options).toMatch(/--health-cmd/);
    expect(docker.steps.some((step) => Object.values(step.env ?? {}).some((value) => value.includes('job.services.redis.ports')))).toBe(true);
    expect(docker.steps.some((step) => step.uses?.startsWith('docker://'))).toBe(true);
  });

  it('checks out every job without keeping the token in the workspace', () => {
    for (const [, job] of jobs) {
      const checkout = job.steps.find((step) => step.uses?.startsWith('actions/checkout@'));
      expect(checkout?.with?.['persist-credentials']).toBe(false);
    }
  });

  it('lets every capability step run, and ends each job with a summary line that fails the job when one did not pass', () => {
    for (const [id, job] of jobs) {
      const summary = job.steps.at(-1);
      expect(summary?.if).toBe('always()');
      expect(summary?.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
      const capabilities = job.steps.slice(0, -1);
      for (const step of capabilities) {
        expect(step['continue-on-error']).toBe(true);
        expect(step.id).toBeDefined();
        // Each capability's outcome reaches the summary.
        expect(Object.values(summary?.env ?? {})).toContain(`\${{ steps.${step.id}.outcome }}`);
      }
      expect(summary?.run).toMatch(new RegExp(`^\\s*line="${id} on`, 'm'));
    }
  });

  it('has shell scripts bash can parse, with no ${{ }} expression inside them (values come in through env)', () => {
    for (const [, job] of jobs) {
      for (const step of job.steps.filter((s) => s.run !== undefined)) {
        const script = step.run ?? '';
        expect(script).not.toContain('${{');
        const check = spawnSync('bash', ['-n', '-c', script], { encoding: 'utf8' });
        expect({ step: step.name, stderr: check.stderr }).toEqual({ step: step.name, stderr: '' });
      }
    }
  });
});
