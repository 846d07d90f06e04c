// The fleet's configuration: one typed, validated object, read from the `fleet` key of cdk.json's context.
// A bad value fails `cdk synth` with a message that shows the value and the fix. Secrets are never here:
// only the names or ARNs of where they live.
import * as z from 'zod';

/** Labels GitHub gives every self-hosted Linux runner; they cannot tell one class from another. */
export const GENERIC_LABELS = ['self-hosted', 'linux', 'x64', 'arm64'] as const;

/** Fargate's valid CPU units and the memory (MiB) each allows. */
const FARGATE_MEMORY_MIB: Record<number, { min: number; max: number; step: number }> = {
  256: { min: 512, max: 2048, step: 512 },
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
};

const name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,29}$/, 'must be 1-30 lower-case letters, digits or dashes, starting with a letter');

const label = z
  .string()
  .min(1, 'must not be empty')
  .max(100)
  .regex(/^[^,\s]+$/, 'must not contain spaces or commas');

const runnerClass = z
  .object({
    /** Class name: part of resource names and the runner-class metric dimension. */
    name,
    /** Labels a job's `runs-on` must be covered by. At least one must be specific to this fleet (not self-hosted/linux/x64/arm64). */
    labels: z.array(label).min(1, 'needs at least one label'),
    /** Task CPU units (1024 = 1 vCPU). @default 2048 */
    cpu: z.number().int().default(2048),
    /** Task memory in MiB. @default 4096 */
    memoryMiB: z.number().int().default(4096),
    /** @default 'x86_64' */
    architecture: z.enum(['x86_64', 'arm64']).default('x86_64'),
    /** 'spot' launches on Spot first and falls back to on-demand; 'on-demand' never uses Spot. @default 'spot' */
    capacity: z.enum(['spot', 'on-demand']).default('spot'),
    /**
     * Jobs can run `docker` (a Docker-in-Docker sidecar). Such classes run on ECS Managed Instances, because
     * Fargate cannot run a privileged daemon. @default false
     */
    docker: z.boolean().default(false),
    /** Fargate ephemeral storage in GiB (21-200). @default 30 */
    ephemeralStorageGiB: z.number().int().min(21).max(200).default(30),
    /**
     * Most runners of this class alive at once. A job beyond the cap waits for a free slot (at most
     * capWaitMinutes, and only while it is still queued) instead of failing. @default 50
     */
    maxRunners: z.number().int().min(1).max(5000).default(50),
  })
  .strict()
  .superRefine((cls, ctx) => {
    const specific = cls.labels.filter((l) => !GENERIC_LABELS.includes(l.toLowerCase() as (typeof GENERIC_LABELS)[number]));
    if (specific.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['labels'], message: `[${cls.labels.join(', ')}] has only generic labels: add one that names this fleet's class (e.g. "${cls.name}"), or every self-hosted job would be sent here` });
    }
    if (cls.docker) {
      if (cls.cpu < 256 || cls.memoryMiB < 512) ctx.addIssue({ code: 'custom', path: ['cpu'], message: `a Docker class needs at least cpu 256 and memoryMiB 512 (got ${cls.cpu} / ${cls.memoryMiB})` });
      return;
    }
    const memory = FARGATE_MEMORY_MIB[cls.cpu];
    if (!memory) {
      ctx.addIssue({ code: 'custom', path: ['cpu'], message: `${cls.cpu} is not a Fargate CPU size: use one of ${Object.keys(FARGATE_MEMORY_MIB).join(', ')}` });
    } else if (cls.memoryMiB < memory.min || cls.memoryMiB > memory.max || (cls.memoryMiB - memory.min) % memory.step !== 0) {
      ctx.addIssue({ code: 'custom', path: ['memoryMiB'], message: `${cls.memoryMiB} does not fit cpu ${cls.cpu} on Fargate: use ${memory.min} to ${memory.max} in steps of ${memory.step}` });
    }
  });

const scope = z.union(
  [
  z
    .object({
      /** Register runners at the organization level. */
      organization: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'must be a GitHub organization login'),
      /** Runner group the runners join. @default 1 (the Default group) */
      runnerGroupId: z.number().int().positive().default(1),
    })
    .strict(),
  z
    .object({
      /** Register runners on these repositories only, as `owner/repo`. */
      repositories: z
        .array(z.string().regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, 'must be "owner/repo"'))
        .min(1, 'needs at least one repository'),
    })
    .strict(),
  ],
  { error: 'must be {"organization": "<login>"} (optionally with "runnerGroupId") or {"repositories": ["owner/repo", ...]}' },
);

const network = z
  .object({
    /** An existing VPC. */
    vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'must look like vpc-0123456789abcdef0'),
    /** Subnets the runner tasks use; they need a route to GitHub (NAT, or public with assignPublicIp). */
    subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must look like subnet-0123456789abcdef0')).min(1),
    /** Give tasks a public IP (public subnets without NAT). @default false */
    assignPublicIp: z.boolean().default(false),
  })
  .strict();

export const fleetConfigSchema = z
  .object({
    /** The GitHub App's numeric id (App settings → About → App ID). */
    gitHubAppId: z.number().int().positive(),
    /** REST API root. @default 'https://api.github.com' (GitHub Enterprise Server: 'https://HOST/api/v3') */
    gitHubApiUrl: z.url({ protocol: /^https$/ }).default('https://api.github.com'),
    scope,
    /** @default - a new VPC with two public subnets, no NAT gateway, tasks with public IPs */
    network: network.optional(),
    runnerClasses: z.array(runnerClass).min(1, 'needs at least one runner class'),
    /** A runner that has not started a job after this long exits. @default 300 */
    idleTimeoutSeconds: z.number().int().min(30).max(3600).default(300),
    /** The longest a runner task may run; it is stopped after that. @default 360 (GitHub-hosted job limit) */
    maxJobMinutes: z.number().int().min(5).max(7200).default(360),
    /**
     * Launches per job that serve no job (Spot interruptions, capacity errors, crashes, idle runners) before its
     * lifecycle fails. A launch whose runner another job took served that job and does not count (at most 50
     * launches per job in all). @default 5
     */
    maxAttempts: z.number().int().min(1).max(20).default(5),
    /** Spot interruptions after which a job's next runner uses on-demand capacity. @default 2 */
    onDemandAfterInterruptions: z.number().int().min(0).max(20).default(2),
    /** How long a job may wait for a free runner slot of its class (maxRunners) before its lifecycle fails. @default 120 */
    capWaitMinutes: z.number().int().min(1).max(1440).default(120),
    /**
     * Re-run a job that GitHub failed because its runner was Spot-interrupted mid-job. Needs the App's
     * "Actions: Read and write" permission. @default false
     */
    rerunInterruptedJobs: z.boolean().default(false),
    /** No automatic re-run once a job's workflow run has reached this attempt. @default 3 */
    maxRunAttempt: z.number().int().min(2).max(10).default(3),
    /** The sweeper (leftover registrations, JIT files, slots and tasks) runs this often. @default 5 */
    sweepEveryMinutes: z.number().int().min(1).max(60).default(5),
    /** Failed webhook deliveries of the last this-many minutes are redelivered (0 turns redelivery off). @default 180 */
    redeliveryWindowMinutes: z.number().int().min(0).max(4320).default(180),
    /** Runner registration names start with this. @default 'ecs' */
    runnerNamePrefix: z.string().regex(/^[a-z][a-z0-9-]{0,15}$/, 'must be 1-16 lower-case letters, digits or dashes').default('ecs'),
    /** CloudWatch Logs retention for every log group. @default 30 */
    logRetentionDays: z
      .number()
      .int()
      .refine((days) => LOG_RETENTION_DAYS.includes(days), { message: `must be one of ${'1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653'}` })
      .default(30),
    /** ARN of an existing secret holding the App's private key (PEM). @default - the stack creates an empty one */
    privateKeySecretArn: z.string().regex(/^arn:aws[a-z-]*:secretsmanager:/, 'must be a Secrets Manager secret ARN').optional(),
    /** CloudWatch Container Insights on the runner cluster. @default true */
    containerInsights: z.boolean().default(true),
    /**
     * Reserved concurrency of the function that calls GitHub: at most this many calls wait on GitHub's rate limits
     * at once, so a burst of jobs queues in Step Functions (free) instead of spending GitHub's hourly budget on
     * refused requests. @default 10
     */
    gitHubConcurrency: z.number().int().min(1).max(1000).default(10),
    /** Alarm when a class's p95 time from a job queued to a runner starting it is above this. @default 300 */
    queueToStartAlarmSeconds: z.number().int().min(30).max(86_400).default(300),
    /** An SNS topic every alarm also notifies (e-mail, chat, paging). @default - none */
    alarmTopicArn: z.string().regex(/^arn:aws[a-z-]*:sns:/, 'must be an SNS topic ARN').optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Managed Instances tasks (Docker classes) get a private IP only: they reach GitHub through a NAT gateway.
    const dockerClass = config.runnerClasses.find((cls) => cls.docker);
    if (dockerClass && (!config.network || config.network.assignPublicIp)) {
      ctx.addIssue({
        code: 'custom',
        path: ['network'],
        message: `runner class "${dockerClass.name}" has "docker": true and runs on ECS Managed Instances, whose tasks get no public IP: give "network" with private subnets that reach the internet through a NAT gateway, and "assignPublicIp": false`,
      });
    }
    const names = new Set<string>();
    config.runnerClasses.forEach((cls, index) => {
      if (names.has(cls.name)) ctx.addIssue({ code: 'custom', path: ['runnerClasses', index, 'name'], message: `"${cls.name}" is used by two classes: class names must be unique` });
      names.add(cls.name);
    });
    // A class whose labels all belong to an earlier class could never be chosen (the first match wins).
    config.runnerClasses.forEach((later, j) => {
      config.runnerClasses.slice(0, j).forEach((earlier) => {
        const earlierLabels = new Set(earlier.labels.map((l) => l.toLowerCase()));
        if (later.labels.every((l) => earlierLabels.has(l.toLowerCase())) && later.architecture === earlier.architecture) {
          ctx.addIssue({ code: 'custom', path: ['runnerClasses', j, 'labels'], message: `every label of "${later.name}" is also a label of "${earlier.name}", which comes first and would take all its jobs: give "${later.name}" a label of its own or reorder the classes` });
        }
      });
    });
  });

const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export type FleetConfigInput = z.input<typeof fleetConfigSchema>;
export type FleetConfig = z.output<typeof fleetConfigSchema>;
export type RunnerClassConfig = FleetConfig['runnerClasses'][number];

export class FleetConfigError extends Error {
  override readonly name = 'FleetConfigError';
}

/** Validates the configuration; throws one error listing every problem, each with its path and fix. */
export function parseFleetConfig(raw: unknown, source = 'cdk.json context "fleet"'): FleetConfig {
  if (raw === undefined || raw === null) {
    throw new FleetConfigError(`No fleet configuration: add a "fleet" object to the "context" of cdk.json (see README, "Configure").`);
  }
  const parsed = fleetConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(root)';
    const value = valueAt(raw, issue.path);
    const shown = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
    return `  - ${where}: ${issue.message}${shown}`;
  });
  throw new FleetConfigError(`Invalid fleet configuration in ${source}:\n${problems.join('\n')}`);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}
