import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_26_X;

/** Every Lambda's handler file, relative to the repository root (the benchmark measures these bundles). */
export const LAMBDA_ENTRIES = {
  webhookRelay: 'lambdas/webhook-relay/handler.ts',
  gitHubSteps: 'lambdas/github-steps/handler.ts',
  jobStarted: 'lambdas/job-started/handler.ts',
  sweeper: 'lambdas/sweeper/handler.ts',
  redelivery: 'lambdas/redelivery/handler.ts',
} as const;

/** How esbuild bundles each Lambda: minified ESM with the AWS SDK inside, for a current Node. */
export const LAMBDA_BUNDLE = {
  format: 'esm',
  minify: true,
  target: 'node22',
  mainFields: ['module', 'main'],
  // Some dependencies still call require(); give the ESM bundle one.
  banner: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);",
} as const;
const ROOT = path.join(__dirname, '..');

export interface NodeFunctionProps {
  /** Handler file, relative to the repository root: one of LAMBDA_ENTRIES. */
  readonly entry: (typeof LAMBDA_ENTRIES)[keyof typeof LAMBDA_ENTRIES];
  readonly description: string;
  readonly environment: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default - no reserved concurrency */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * Every Lambda of the fleet: arm64, a current Node runtime, minified ESM bundled by the local esbuild (so synth
 * never needs Docker), the AWS SDK bundled so the version we test is the version that runs, X-Ray tracing,
 * and its own log group with the fleet's retention.
 */
export class NodeFunction extends nodejs.NodejsFunction {
  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: props.logRetention });
    super(scope, id, {
      entry: path.join(ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      environment: props.environment,
      ...(props.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions } : {}),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      depsLockFilePath: path.join(ROOT, 'package-lock.json'),
      projectRoot: ROOT,
      bundling: {
        format: nodejs.OutputFormat.ESM,
        minify: LAMBDA_BUNDLE.minify,
        sourceMap: false,
        target: LAMBDA_BUNDLE.target,
        mainFields: [...LAMBDA_BUNDLE.mainFields],
        bundleAwsSDK: true,
        banner: LAMBDA_BUNDLE.banner,
      },
    });
  }
}
