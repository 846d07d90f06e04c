import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '../statemachine/contracts';
import { LAMBDA_ENTRIES, NodeFunction } from './node-function';

export interface WebhookRelayProps {
  /** The bus the relay puts `workflow_job` events on. */
  readonly eventBus: events.EventBus;
  readonly logRetention: logs.RetentionDays;
  /** Largest webhook body accepted, in bytes. @default 262144 (EventBridge's event size limit) */
  readonly maxWebhookBytes?: number;
}

/** The GitHub App's webhook endpoint: a Lambda behind a Function URL that verifies and forwards deliveries. */
export class WebhookRelay extends Construct {
  /** Give this URL to the GitHub App as its webhook URL. */
  readonly url: string;
  /** JSON `{"current": "..."}` (add `"previous"` while rotating); give `current` to the GitHub App. */
  readonly secret: secretsmanager.Secret;
  readonly function: lambda.IFunction;

  constructor(scope: Construct, id: string, props: WebhookRelayProps) {
    super(scope, id);

    this.secret = new secretsmanager.Secret(this, 'WebhookSecret', {
      description: 'GitHub App webhook secret for the runner fleet: {"current": "...", "previous": "..." while rotating}',
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'current',
        passwordLength: 48,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const fn = new NodeFunction(this, 'Function', {
      entry: LAMBDA_ENTRIES.webhookRelay,
      description: 'Verifies GitHub webhook signatures and puts workflow_job events on the fleet bus',
      logRetention: props.logRetention,
      // GitHub gives up on a delivery after 10 s.
      timeout: Duration.seconds(9),
      environment: {
        [ENV.webhookSecretArn]: this.secret.secretArn,
        [ENV.eventBusName]: props.eventBus.eventBusName,
        [ENV.maxWebhookBytes]: String(props.maxWebhookBytes ?? 262_144),
      },
    });
    this.secret.grantRead(fn);
    props.eventBus.grantPutEventsTo(fn);

    // GitHub cannot sign requests with SigV4: the URL is public and the relay authenticates by HMAC signature.
    const functionUrl = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    this.url = functionUrl.url;
    this.function = fn;
  }
}
