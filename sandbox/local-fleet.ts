// The whole fleet on one machine: the real relay and GitHub-steps code, the real state machine definition from
// the synthesized template, the rule's pattern and input transformer from the same template, against a fake
// GitHub over HTTP on 127.0.0.1 and fake S3, ECS and Secrets Manager behind the SDK seams the Lambdas use.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { createGitHubClient, type GitHubClient } from '../lambdas/github/client';
import { readStepsConfig } from '../lambdas/github-steps/config';
import { createGitHubSteps } from '../lambdas/github-steps/steps';
import { readJobStartedConfig } from '../lambdas/job-started/config';
import { onJobStarted, type JobStartedDeps } from '../lambdas/job-started/job-started';
import { createMetrics, type Metrics } from '../lambdas/shared/metrics';
import { readRedeliveryConfig } from '../lambdas/redelivery/config';
import { redeliverFailedDeliveries, type RedeliverySummary } from '../lambdas/redelivery/redeliver';
import { readSweeperConfig } from '../lambdas/sweeper/config';
import { sweep, type SweepSummary } from '../lambdas/sweeper/sweep';
import { createLogger } from '../lambdas/shared/logger';
import { createSecretReader, type SecretReader } from '../lambdas/shared/secrets';
import { createRelay, type Relay } from '../lambdas/webhook-relay/relay';
import { createWebhookSecrets } from '../lambdas/webhook-relay/webhook-secrets';
import type { FleetConfigInput } from '../stacks/config';
import { ENV, type LaunchRequest, type LifecycleState } from '../statemachine/contracts';
import { FakeEventBus } from './fake-aws/event-bus';
import { ConcurrencyLimit } from './fake-aws/lambda-concurrency';
import { FakeEcs, type FakeEcsOptions } from './fake-aws/ecs';
import { FakeS3 } from './fake-aws/s3';
import { createFakeGitHub, type FakeGitHub, type FaultOptions, type JobView, type QueueJobInput, type RateLimitOptions } from './fake-github';
import { resolveIntrinsics, synthesizeFleet, type Definition } from './lifecycle/definition';
import { runLocalExecution, type ExecutionResult } from './lifecycle/local-execution';

export const SANDBOX_ORGANIZATION = 'octo-org';
const INSTALLATION_ID = 42;
const APP_ID = 424242;

/** The sandbox's fleet: one class of each kind, in the organization scope. */
export function sandboxFleetConfig(overrides: Partial<FleetConfigInput> = {}): FleetConfigInput {
  return {
    gitHubAppId: APP_ID,
    scope: { organization: SANDBOX_ORGANIZATION },
    network: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'] },
    runnerClasses: [
      // Caps high enough for the benchmark's bursts; tests and the chaos run set their own.
      { name: 'small', labels: ['fargate-small'], cpu: 1024, memoryMiB: 2048, maxRunners: 1000 },
      { name: 'large-arm', labels: ['fargate-large', 'arm64'], cpu: 4096, memoryMiB: 8192, architecture: 'arm64', maxRunners: 1000 },
      { name: 'docker', labels: ['docker'], cpu: 2048, memoryMiB: 8192, docker: true, maxRunners: 1000 },
    ],
    ...overrides,
  };
}

export interface LocalFleetOptions {
  fleet?: Partial<FleetConfigInput>;
  seed?: number;
  faults?: FaultOptions;
  rateLimits?: RateLimitOptions;
  ecs?: Omit<FakeEcsOptions, 'github' | 's3'>;
  /** Print the Lambdas' log lines as they are written. @default false */
  printLogs?: boolean;
  /** Wait between Step Functions retries: ms, or the definition's schedule sped up by `scale`. @default 0 */
  retryIntervalMs?: number | { scale: number };
  /** The rule starts an execution for each matching event. Off: only `launch` starts executions. @default true */
  startFromEvents?: boolean;
  /** The job-started rule invokes its handler (records assignments, relaunches for stolen runners). @default true */
  handleJobStarted?: boolean;
  /** How long a GitHub call may wait out a rate limit in the Lambda (scaled down by benchmarks). @default 75000 */
  gitHubWaitBudgetMs?: number;
  /** Scheduled functions' waits (redelivery's minimum attempt age) are this many times shorter. @default 1 */
  timeScale?: number;
}

/** An execution still running: what a ListExecutions or DescribeExecution of it can tell. */
export interface InFlightExecution {
  readonly name: string;
  readonly startedAtMs: number;
  readonly input: unknown;
}

/** Sees every GitHub step as it ends: tests use it to change the world between two states. */
export type StepObserver = (input: { step: string; state: unknown }, output: unknown) => void | Promise<void>;

/** Secrets Manager with the two secrets the fleet reads; counts reads per secret. */
class FakeSecretsManager {
  readonly reads: Record<string, number> = {};
  constructor(private readonly values: Record<string, string>) {}
  send = async (command: unknown): Promise<unknown> => {
    await Promise.resolve();
    if (!(command instanceof GetSecretValueCommand)) throw new Error(`FakeSecretsManager does not implement ${(command as object).constructor.name}`);
    const id = command.input.SecretId ?? '';
    this.reads[id] = (this.reads[id] ?? 0) + 1;
    const value = this.values[id];
    if (value === undefined) throw Object.assign(new Error(`Secrets Manager can't find the specified secret ${id}.`), { name: 'ResourceNotFoundException' });
    return { SecretString: value };
  };
}

export class LocalFleet {
  readonly executions: ExecutionResult[] = [];
  observeSteps: StepObserver | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly executionNames = new Set<string>();
  private readonly running = new Map<Promise<ExecutionResult>, InFlightExecution>();
  /** EMF metric lines the fleet's functions wrote. */
  readonly metricLines: string[] = [];
  /** Errors a function invoked by an event rule threw on its last try (EventBridge would dead-letter them). */
  readonly deadLetters: { target: string; error: string }[] = [];
  private jobStartedDeps: JobStartedDeps | undefined;
  private redeliveryRun: (() => Promise<RedeliverySummary>) | undefined;
  private sweepRun: ((ageScale: number) => Promise<SweepSummary>) | undefined;
  private readonly aborters = new Map<string, AbortController>();
  /** The values that must never appear in a history or a log line. */
  readonly secrets: string[];

  private constructor(
    readonly github: FakeGitHub,
    readonly gitHubClient: GitHubClient,
    readonly s3: FakeS3,
    readonly ecs: FakeEcs,
    readonly bus: FakeEventBus,
    readonly secretsManager: FakeSecretsManager,
    readonly privateKeyReader: SecretReader,
    readonly definition: Definition,
    private readonly steps: (input: unknown) => Promise<unknown>,
    readonly relay: Relay,
    /** Every line the relay and the GitHub steps logged. */
    readonly logLines: string[],
    secrets: string[],
    private readonly retryIntervalMs: number | { scale: number },
  ) {
    this.secrets = secrets;
  }

  static async start(options: LocalFleetOptions = {}): Promise<LocalFleet> {
    const { definition, template } = synthesizeFleet(sandboxFleetConfig(options.fleet));
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privateKeyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const webhookSecret = randomUUID().replace(/-/g, '');

    const logLines: string[] = [];
    // The steps function is built before the fleet object that collects the metric lines: buffer until it exists.
    const earlyMetricLines: string[] = [];
    let metricSink = (line: string): void => void earlyMetricLines.push(line);
    const logger = createLogger({}, (line) => {
      logLines.push(line);
      if (options.printLogs) process.stdout.write(`${line}\n`);
    });

    // The GitHub steps function's environment, exactly as the template sets it, pointed at the fake GitHub.
    const stepsEnv = functionEnvironment(template, ENV.runnerClasses);
    const relayEnv = functionEnvironment(template, ENV.webhookSecretArn);
    const secretsManager = new FakeSecretsManager({
      [stepsEnv[ENV.privateKeySecretArn] ?? '']: privateKeyPem,
      [relayEnv[ENV.webhookSecretArn] ?? '']: JSON.stringify({ current: webhookSecret }),
    });

    const bus = new FakeEventBus(template);
    const secretArn = relayEnv[ENV.webhookSecretArn] ?? '';
    const relay = createRelay({
      secrets: createWebhookSecrets(createSecretReader(secretsManager, secretArn), { secretArn }),
      putEvents: (entry) => bus.putEvents([entry]),
      eventBusName: relayEnv[ENV.eventBusName] ?? '',
      logger: logger.child({ component: 'webhook-relay' }),
    });

    const github = createFakeGitHub({
      appId: APP_ID,
      appPublicKey: publicKey,
      installations: [{ id: INSTALLATION_ID, account: SANDBOX_ORGANIZATION }],
      seed: options.seed ?? 1,
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
      webhook: {
        secret: webhookSecret,
        // A Function URL event: header names arrive in lower case.
        deliver: async ({ headers, body }) => {
          const response = await relay({
            body,
            isBase64Encoded: false,
            headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
            requestContext: { http: { method: 'POST' } },
          });
          return { status: response.statusCode };
        },
      },
    });
    const { url } = await github.start();

    const config = readStepsConfig({ ...stepsEnv, [ENV.gitHubApiUrl]: url });
    const privateKeyReader = createSecretReader(secretsManager, config.privateKeySecretArn);
    const gitHubClient = createGitHubClient({
      appId: config.gitHubAppId,
      privateKey: () => privateKeyReader.read(),
      baseUrl: url,
      logger: logger.child({ component: 'github-steps' }),
      ...(options.gitHubWaitBudgetMs !== undefined ? { rateLimitWaitBudgetMs: options.gitHubWaitBudgetMs } : {}),
    });
    const s3 = new FakeS3();
    const ecs = new FakeEcs({ github, s3, ...options.ecs });
    const stepMetrics = createMetrics((line) => metricSink(line));
    const runStep = createGitHubSteps({ github: gitHubClient, s3, ecs, config, logger: logger.child({ component: 'github-steps' }), metrics: stepMetrics });
    const concurrency = new ConcurrencyLimit(reservedConcurrency(template, ENV.runnerClasses) ?? Number.POSITIVE_INFINITY);
    const steps = (input: unknown) => concurrency.run(() => runStep(input));

    const fleet = new LocalFleet(github, gitHubClient, s3, ecs, bus, secretsManager, privateKeyReader, definition, steps, relay, logLines, [privateKeyPem, webhookSecret], options.retryIntervalMs ?? 0);
    fleet.metricLines.push(...earlyMetricLines);
    metricSink = (line) => void fleet.metricLines.push(line);
    const metrics: Metrics = createMetrics((line) => fleet.metricLines.push(line));
    const sweeperConfig = readSweeperConfig({ ...functionEnvironment(template, ENV.maxTaskAgeSeconds), [ENV.gitHubApiUrl]: url });
    fleet.sweepRun = (ageScale) =>
      sweep({
        github: gitHubClient,
        s3,
        ecs,
        config: {
          ...sweeperConfig,
          graceSeconds: sweeperConfig.graceSeconds / ageScale,
          jitFileMaxAgeSeconds: sweeperConfig.jitFileMaxAgeSeconds / ageScale,
          maxTaskAgeSeconds: sweeperConfig.maxTaskAgeSeconds / ageScale,
        },
        logger: logger.child({ component: 'sweeper' }),
        metrics,
        now: Date.now,
      });
    if (functionWith(template, ENV.redeliveryWindowMinutes)) {
      const redeliveryConfig = readRedeliveryConfig({ ...functionEnvironment(template, ENV.redeliveryWindowMinutes), [ENV.gitHubApiUrl]: url });
      const settledGuids = new Set<string>();
      fleet.redeliveryRun = () =>
        redeliverFailedDeliveries({
          github: gitHubClient,
          config: { ...redeliveryConfig, minAttemptAgeSeconds: redeliveryConfig.minAttemptAgeSeconds / (options.timeScale ?? 1) },
          logger: logger.child({ component: 'redelivery' }),
          metrics,
          now: Date.now,
          settledGuids,
        });
    }
    fleet.jobStartedDeps = {
      github: gitHubClient,
      s3,
      startExecution: (name: string, input: LifecycleState) => {
        if (fleet.executionNames.has(name)) return Promise.resolve('exists' as const);
        void fleet.launch(input, name);
        return Promise.resolve('started' as const);
      },
      config: readJobStartedConfig({ ...functionEnvironment(template, ENV.stateMachineArn), [ENV.gitHubApiUrl]: url }),
      logger: logger.child({ component: 'job-started' }),
      metrics,
    };
    if (options.startFromEvents ?? true) bus.onTarget(resourceOfType(template, 'AWS::StepFunctions::StateMachine'), (input) => void fleet.launch(input as LaunchRequest));
    if (options.handleJobStarted ?? true) {
      bus.onTarget(functionIdWith(template, ENV.stateMachineArn), (event) => fleet.invokeAsync('job-started', () => onJobStarted(event, fleet.jobStartedDeps as JobStartedDeps)));
    }
    return fleet;
  }

  /** Starts one execution of the lifecycle, as the console or the rule would; resolves when it ends. */
  launch(input: LaunchRequest | LifecycleState | Record<string, unknown>, executionName: string = randomUUID()): Promise<ExecutionResult> {
    this.executionNames.add(executionName);
    const gitHubSteps = async (payload: { step: string; state: unknown }) => {
      const output = await this.steps(payload);
      await this.observeSteps?.(payload, output);
      return output;
    };
    const aborter = new AbortController();
    this.aborters.set(executionName, aborter);
    const startedAtMs = Date.now();
    const run = runLocalExecution(this.definition, input, { gitHubSteps, runTask: this.ecs.runTaskSync }, { executionName, retryIntervalMs: this.retryIntervalMs, abortSignal: aborter.signal }).then((result) => {
      this.executions.push(result);
      this.inFlight.delete(run);
      this.running.delete(run);
      this.aborters.delete(executionName);
      return result;
    });
    this.inFlight.add(run);
    this.running.set(run, { name: executionName, startedAtMs, input });
    return run;
  }

  /** The executions started and not yet ended (`executions` holds the ended ones), oldest first. */
  inFlightExecutions(): readonly InFlightExecution[] {
    return [...this.running.values()];
  }

  /**
   * An asynchronous Lambda invocation by an event rule: tried three times in all (as Lambda does), then recorded as
   * a dead letter. `settled()` waits for it.
   */
  invokeAsync(target: string, invoke: () => Promise<unknown>): void {
    const run = (async () => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await invoke();
        } catch (error) {
          if (attempt >= 3) {
            this.deadLetters.push({ target, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
            return undefined;
          }
          await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
        }
      }
    })().finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  /** StopExecution: the execution ends where it is, without Clean up (what it leaves is the sweeper's). */
  abort(executionName: string): boolean {
    const aborter = this.aborters.get(executionName);
    aborter?.abort();
    return aborter !== undefined;
  }

  /** One run of the scheduled sweeper; its age thresholds (grace, JIT file and task age) divided by `ageScale`. */
  sweep(options: { ageScale?: number } = {}): Promise<SweepSummary> {
    return (this.sweepRun as (ageScale: number) => Promise<SweepSummary>)(options.ageScale ?? 1);
  }

  /** One run of the scheduled redelivery of failed webhook deliveries. */
  redeliver(): Promise<RedeliverySummary> {
    if (!this.redeliveryRun) throw new Error('The fleet has no redelivery function (redeliveryWindowMinutes is 0)');
    return this.redeliveryRun();
  }

  /** Queues a job on the fake GitHub: its webhook goes through the relay, the bus and the rule to an execution. */
  queueJob(input: Omit<QueueJobInput, 'owner'> & { owner?: string }): JobView {
    return this.github.queueJob({ owner: SANDBOX_ORGANIZATION, ...input });
  }

  /** Waits until every webhook was delivered and every execution they started has ended. */
  async settled(): Promise<void> {
    for (;;) {
      await this.github.settled();
      if (this.inFlight.size === 0) return;
      await Promise.all([...this.inFlight]);
    }
  }

  /** Everything an execution recorded: inputs and outputs of every state. */
  historyText(): string {
    return JSON.stringify(this.executions.map((e) => e.events));
  }

  /** Secret values (App key, webhook secret, installation tokens, JIT configs) found in histories or logs. */
  leakedSecrets(): string[] {
    const jitConfigs = this.s3.writtenBodies.map((body) => body.split('=').slice(1).join('=').trim()).filter((v) => v.length > 0);
    const haystacks = [this.historyText(), this.logLines.join('\n')];
    const leaks = [...this.secrets, ...jitConfigs].filter((secret) => haystacks.some((text) => text.includes(secret)));
    const tokens = haystacks.flatMap((text) => text.match(/ghs_[A-Za-z0-9]{16,}/g) ?? []);
    return [...leaks, ...tokens];
  }

  async stop(): Promise<void> {
    await this.settled();
    await this.github.stop();
  }
}

type Template = Parameters<typeof resolveIntrinsics>[1];
type TemplateResource = Template['Resources'][string];

const variablesOf = (r: TemplateResource) => (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};

/** The Lambda function of the template whose environment variables include `marker`. */
function functionWith(template: Template, marker: string): TemplateResource | undefined {
  return Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function' && marker in variablesOf(r));
}

/** The logical id of the function whose variables include `marker`. */
function functionIdWith(template: Template, marker: string): string {
  const entry = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::Lambda::Function' && marker in variablesOf(r));
  if (!entry) throw new Error(`No function of the template has ${marker} in its environment`);
  return entry[0];
}

/** The logical id of the template's only resource of `type`. */
function resourceOfType(template: Template, type: string): string {
  const ids = Object.entries(template.Resources).filter(([, r]) => r.Type === type).map(([id]) => id);
  if (ids.length !== 1 || !ids[0]) throw new Error(`Expected one ${type} in the template, found ${ids.length}`);
  return ids[0];
}

/** The reserved concurrency of the function whose variables include `marker`, if it has one. */
function reservedConcurrency(template: Template, marker: string): number | undefined {
  const value = functionWith(template, marker)?.Properties?.ReservedConcurrentExecutions;
  return typeof value === 'number' ? value : undefined;
}

/** The environment of the function whose variables include `marker`, references resolved to stand-ins. */
function functionEnvironment(template: Template, marker: string): Record<string, string> {
  const fn = functionWith(template, marker);
  return Object.fromEntries(Object.entries(fn ? variablesOf(fn) : {}).map(([name, value]) => [name, resolveIntrinsics(value, template)]));
}
