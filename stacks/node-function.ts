import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_26_X;
const ROOT = path.join(__dirname, '..');

export interface NodeFunctionProps {
  /** Handler file, relative to the repository root (e.g. `lambdas/webhook-relay/handler.ts`). */
  readonly entry: string;
  readonly description: string;
  readonly environment: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
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
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      depsLockFilePath: path.join(ROOT, 'package-lock.json'),
      projectRoot: ROOT,
      bundling: {
        format: nodejs.OutputFormat.ESM,
        minify: true,
        sourceMap: false,
        target: 'node22',
        mainFields: ['module', 'main'],
        bundleAwsSDK: true,
        // Some dependencies still call require(); give the ESM bundle one.
        banner: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);",
      },
    });
  }
}
