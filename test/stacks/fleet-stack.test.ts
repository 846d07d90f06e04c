import { Match, type Template } from 'aws-cdk-lib/assertions';
import { ENV, GITHUB_EVENT, RUNNER_CONTAINER_NAME, STATE } from '../../statemachine/contracts';
import { synthFleet } from './synth';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Condition?: unknown };

let template: Template;
let resources: Resources;

beforeAll(() => {
  ({ template } = synthFleet());
  resources = template.toJSON().Resources as Resources;
});

const logicalIdsOf = (type: string, predicate: (props: Record<string, unknown>) => boolean = () => true): string[] =>
  Object.entries(resources)
    .filter(([, r]) => r.Type === type && predicate(r.Properties ?? {}))
    .map(([id]) => id);

const only = (ids: string[]): string => {
  expect(ids).toHaveLength(1);
  return ids[0] ?? '';
};

const actionsOf = (statement: Statement): string[] => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);

/** Every policy statement attached to the role with this logical id. */
function statementsOfRole(roleId: string): Statement[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles).includes(`"${roleId}"`))
    .flatMap((r) => (r.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** Logical ids of the roles whose policies allow `action` on a resource mentioning `resourceId`. */
function rolesAllowed(action: string, resourceId: string): string[] {
  const roles = new Set<string>();
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    const statements = (r.Properties?.PolicyDocument as { Statement: Statement[] }).Statement;
    const allows = statements.some((s) => actionsOf(s).includes(action) && JSON.stringify(s.Resource ?? '').includes(resourceId));
    if (allows) for (const role of r.Properties?.Roles as { Ref: string }[]) roles.add(role.Ref);
  }
  return [...roles];
}

const functionRole = (functionId: string): string => ((resources[functionId]?.Properties?.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] ?? '');
const functionWithEnv = (variable: string): string =>
  only(logicalIdsOf('AWS::Lambda::Function', (p) => JSON.stringify(p.Environment ?? {}).includes(`"${variable}"`)));

describe('webhook relay', () => {
  it('is a Lambda behind a Function URL that anyone can call (GitHub signs, it cannot use SigV4)', () => {
    const relay = functionWithEnv(ENV.webhookSecretArn);
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [relay, 'Arn'] } });
  });

  it('runs on arm64 with a current Node runtime, X-Ray tracing and a timeout under GitHub\'s 10 s', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.webhookSecretArn]: Match.anyValue(), [ENV.eventBusName]: Match.anyValue() }) },
      Architectures: ['arm64'],
      Runtime: Match.stringLikeRegexp('^nodejs2[4-9]'),
      TracingConfig: { Mode: 'Active' },
      Timeout: 9,
    });
  });

  it('is the only thing that can read the webhook secret or put events on the bus', () => {
    const relayRole = functionRole(functionWithEnv(ENV.webhookSecretArn));
    const webhookSecret = only(logicalIdsOf('AWS::SecretsManager::Secret', (p) => JSON.stringify(p.Description ?? '').includes('webhook secret')));
    const bus = only(logicalIdsOf('AWS::Events::EventBus'));

    expect(rolesAllowed('secretsmanager:GetSecretValue', webhookSecret)).toEqual([relayRole]);
    expect(rolesAllowed('events:PutEvents', bus)).toEqual([relayRole]);
  });
});

describe('events', () => {
  it('archives every GitHub event for replay', () => {
    template.hasResourceProperties('AWS::Events::Archive', { EventPattern: { source: [GITHUB_EVENT.source] } });
  });

  it('starts the lifecycle for queued jobs carrying a label of the fleet, from any relay', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: [GITHUB_EVENT.source],
        'detail-type': [GITHUB_EVENT.workflowJobDetailType],
        detail: { action: ['queued'], workflow_job: { labels: ['fargate-small', 'fargate-large', 'docker'] } },
      },
    });
  });

  it('turns the webhook into the launch request, with a retry policy and a dead-letter queue', () => {
    const machine = only(logicalIdsOf('AWS::StepFunctions::StateMachine'));
    const dlq = only(logicalIdsOf('AWS::SQS::Queue'));
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          Arn: { Ref: machine },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
          InputTransformer: {
            InputPathsMap: {
              'detail-repository-owner-login': '$.detail.repository.owner.login',
              'detail-repository-name': '$.detail.repository.name',
              'detail-workflow_job-labels': '$.detail.workflow_job.labels',
              'detail-workflow_job-id': '$.detail.workflow_job.id',
              'detail-workflow_job-run_id': '$.detail.workflow_job.run_id',
              'detail-workflow_job-run_attempt': '$.detail.workflow_job.run_attempt',
              'detail-installation-id': '$.detail.installation.id',
              'detail-workflow_job-html_url': '$.detail.workflow_job.html_url',
            },
            InputTemplate: Match.anyValue(),
          },
        }),
      ],
    });
  });

  // Placeholders outside quotes: EventBridge inserts each value as JSON (strings quoted, arrays and numbers as is).
  it('renders the launch request fields as JSON values', () => {
    const rule = Object.values(resources).find((r) => r.Type === 'AWS::Events::Rule');
    const targets = rule?.Properties?.Targets as { InputTransformer: { InputTemplate: string } }[];
    const inputTemplate = targets[0]?.InputTransformer.InputTemplate ?? '';

    expect(inputTemplate).toContain('"labels":<detail-workflow_job-labels>');
    expect(inputTemplate).toContain('"jobId":<detail-workflow_job-id>');
    expect(inputTemplate).toContain('"owner":<detail-repository-owner-login>');
  });
});

describe('runner lifecycle state machine', () => {
  const definition = (): Record<string, unknown> => {
    const machine = Object.values(resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
    const joined = (machine?.Properties?.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
      .map((part) => (typeof part === 'string' ? part : 'TOKEN'))
      .join('');
    return JSON.parse(joined) as Record<string, unknown>;
  };

  it('is a Standard state machine with X-Ray tracing and logs that leave execution data out', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ IncludeExecutionData: false, Level: 'ALL' }),
    });
  });

  it('names its states with the contract names people read in the audit', () => {
    const states = Object.keys((definition().States as Record<string, unknown>) ?? {});
    expect(states.sort()).toEqual(
      [STATE.mintToken, STATE.runRunner, STATE.runRunnerOnDemand, STATE.cleanUp, STATE.checkJob, STATE.rerunJob, STATE.done, STATE.notNeeded, STATE.duplicate, STATE.noMatchingRunnerClass, STATE.failed].sort(),
    );
    expect(definition().StartAt).toBe(STATE.mintToken);
  });

  it('passes the JIT config to the runner only as an S3 environment file reference, with tags and a timeout', () => {
    const states = definition().States as Record<string, Record<string, unknown>>;
    for (const name of [STATE.runRunner, STATE.runRunnerOnDemand]) {
      const state = states[name] ?? {};
      expect(state.Resource).toBe('arn:aws:states:::ecs:runTask.sync');
      expect(state.TimeoutSeconds).toBe((360 + 15) * 60);
      expect(state.Parameters).toMatchObject({
        Overrides: { ContainerOverrides: [{ Name: RUNNER_CONTAINER_NAME, EnvironmentFiles: [{ Type: 's3', 'Value.$': '$.runner.jitConfigArn' }] }] },
        'TaskDefinition.$': '$.runner.taskDefinitionArn',
        'Tags.$': '$.runner.tags',
        'StartedBy.$': '$.runner.name',
      });
      expect(JSON.stringify(state.Parameters)).not.toMatch(/"Environment"|jitConfig"|encoded/i);
    }
    expect(states[STATE.runRunner]?.Parameters).toMatchObject({ 'CapacityProviderStrategy.$': '$.runner.capacityProviderStrategy' });
    expect(states[STATE.runRunnerOnDemand]?.Parameters).toMatchObject({ 'CapacityProviderStrategy.$': '$.runner.onDemandCapacityProviderStrategy' });
  });

  it('bounds every Lambda state by a timeout above the function\'s own', () => {
    const states = definition().States as Record<string, Record<string, unknown>>;
    for (const name of [STATE.mintToken, STATE.cleanUp]) expect(states[name]?.TimeoutSeconds).toBe(240);
  });

  it('may run only the fleet\'s task definitions and invoke only the GitHub steps function', () => {
    const machineRole = only(logicalIdsOf('AWS::IAM::Role', (p) => JSON.stringify(p.AssumeRolePolicyDocument).includes('states.amazonaws.com')));
    const statements = statementsOfRole(machineRole);
    const taskDefinitions = logicalIdsOf('AWS::ECS::TaskDefinition');
    const stepsFunction = functionWithEnv(ENV.runnerClasses);

    const runTask = statements.filter((s) => actionsOf(s).includes('ecs:RunTask'));
    const runTaskResources: unknown[] = runTask.flatMap((s) => (Array.isArray(s.Resource) ? (s.Resource as unknown[]) : [s.Resource]));
    expect(runTaskResources).toHaveLength(taskDefinitions.length);
    for (const id of taskDefinitions) expect(runTaskResources).toContainEqual({ Ref: id });

    const invoke = statements.filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(JSON.stringify(invoke)).toContain(stepsFunction);
    expect(logicalIdsOf('AWS::Lambda::Function').filter((id) => id !== stepsFunction && JSON.stringify(invoke).includes(`"${id}"`))).toEqual([]);
    for (const s of statements) expect(actionsOf(s)).not.toContain('*');
  });
});

describe('GitHub steps function', () => {
  it('shares the App private key only with the functions that must call GitHub as the App', () => {
    const githubFunctions = [ENV.runnerClasses, ENV.stateMachineArn, ENV.maxTaskAgeSeconds, ENV.redeliveryWindowMinutes].map((marker) => functionRole(functionWithEnv(marker)));
    const privateKey = only(logicalIdsOf('AWS::SecretsManager::Secret', (p) => JSON.stringify(p.Description ?? '').includes('private key')));

    expect(rolesAllowed('secretsmanager:GetSecretValue', privateKey).sort()).toEqual(githubFunctions.sort());
    // The relay, which anyone on the internet can call, is not one of them.
    expect(rolesAllowed('secretsmanager:GetSecretValue', privateKey)).not.toContain(functionRole(functionWithEnv(ENV.webhookSecretArn)));
  });

  it('has reserved concurrency, so a burst of launches waits in Step Functions instead of hammering GitHub', () => {
    const fn = resources[functionWithEnv(ENV.runnerClasses)];
    expect(fn?.Properties?.ReservedConcurrentExecutions).toBe(10);
    expect(fn?.Properties?.Timeout).toBe(180);
  });

  it('keeps a created private key secret when the stack is deleted', () => {
    const privateKey = only(logicalIdsOf('AWS::SecretsManager::Secret', (p) => JSON.stringify(p.Description ?? '').includes('private key')));
    const all = template.toJSON().Resources as Record<string, { DeletionPolicy?: string }>;
    expect(all[privateKey]?.DeletionPolicy).toBe('Retain');
  });

  it('gets names and ARNs in its environment, never a secret value', () => {
    const fn = resources[functionWithEnv(ENV.runnerClasses)];
    const variables = (fn?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;

    expect(Object.keys(variables).sort()).toEqual(
      [ENV.gitHubAppId, ENV.gitHubApiUrl, ENV.gitHubScope, ENV.privateKeySecretArn, ENV.runnerClasses, ENV.runnerNamePrefix, ENV.jitBucketArn, ENV.clusterArn, ENV.maxAttempts, ENV.onDemandAfterInterruptions, ENV.rerunInterruptedJobs, ENV.maxRunAttempt].sort(),
    );
    expect(variables[ENV.gitHubScope]).toBe(JSON.stringify({ type: 'organization', organization: 'octo-org', runnerGroupId: 1 }));
  });

  it('may stop only tasks of the runner cluster', () => {
    const statements = statementsOfRole(functionRole(functionWithEnv(ENV.runnerClasses)));
    const cluster = only(logicalIdsOf('AWS::ECS::Cluster'));
    const stop = statements.filter((s) => actionsOf(s).includes('ecs:StopTask'));
    const list = statements.filter((s) => actionsOf(s).includes('ecs:ListTasks'));

    expect(JSON.stringify(stop)).toContain(cluster);
    expect(list[0]?.Condition).toEqual({ ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [cluster, 'Arn'] } } });
  });
});

describe('JIT config bucket', () => {
  it('is private, encrypted, TLS-only, and forgets objects after a day', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({ ExpirationInDays: 1, Prefix: 'jit/', Status: 'Enabled' }),
          Match.objectLike({ ExpirationInDays: 1, Prefix: 'claims/', Status: 'Enabled' }),
          Match.objectLike({ ExpirationInDays: 1, Prefix: 'assignments/', Status: 'Enabled' }),
          Match.objectLike({ ExpirationInDays: 1, Prefix: 'interrupted/', Status: 'Enabled' }),
          Match.objectLike({ ExpirationInDays: 1, Prefix: 'reruns/', Status: 'Enabled' }),
        ],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('has JIT files read only by the runner tasks\' execution roles, written only by the GitHub steps function, deleted by it and the sweeper', () => {
    const executionRoles = logicalIdsOf('AWS::ECS::TaskDefinition').map(
      (id) => (resources[id]?.Properties?.ExecutionRoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
    );
    const stepsRole = functionRole(functionWithEnv(ENV.runnerClasses));
    const sweeperRole = functionRole(functionWithEnv(ENV.maxTaskAgeSeconds));

    expect(rolesAllowed('s3:GetObject', '/jit/*').sort()).toEqual([...executionRoles].sort());
    expect(rolesAllowed('s3:PutObject', '/jit/*')).toEqual([stepsRole]);
    expect(rolesAllowed('s3:DeleteObject', '/jit/*').sort()).toEqual([stepsRole, sweeperRole].sort());
  });

  it('has runner slots taken and released by the GitHub steps function, freed by the sweeper, read by nobody else', () => {
    const stepsRole = functionRole(functionWithEnv(ENV.runnerClasses));
    const sweeperRole = functionRole(functionWithEnv(ENV.maxTaskAgeSeconds));

    expect(rolesAllowed('s3:PutObject', '/slots/*')).toEqual([stepsRole]);
    expect(rolesAllowed('s3:DeleteObject', '/slots/*').sort()).toEqual([stepsRole, sweeperRole].sort());
    expect(rolesAllowed('s3:GetObject', '/slots/*')).toEqual([sweeperRole]);
  });

  it('lets runner tasks read JIT files only, never claims; and lets nobody delete a claim', () => {
    const statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => (r.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
    const onClaims = statements.filter((s) => JSON.stringify(s.Resource ?? '').includes('/claims/*'));
    expect([...new Set(onClaims.flatMap(actionsOf))].sort()).toEqual(['s3:GetObject', 's3:PutObject']);
    // Only the GitHub steps function writes claims; the job-started handler and the sweeper only read them.
    expect(rolesAllowed('s3:PutObject', '/claims/*')).toEqual([functionRole(functionWithEnv(ENV.runnerClasses))]);
  });
});

describe('runner tasks', () => {
  it('have task roles without any permission', () => {
    for (const id of logicalIdsOf('AWS::ECS::TaskDefinition')) {
      const taskRole = (resources[id]?.Properties?.TaskRoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] ?? '';
      expect(statementsOfRole(taskRole)).toEqual([]);
      expect(resources[taskRole]?.Properties?.ManagedPolicyArns).toBeUndefined();
      expect(resources[taskRole]?.Properties?.Policies).toBeUndefined();
    }
  });

  it('run behind an egress-only security group', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('outbound only'),
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: '-1' }],
    });
    const runnerGroup = Object.values(resources).find((r) => r.Type === 'AWS::EC2::SecurityGroup' && JSON.stringify(r.Properties).includes('outbound only'));
    expect(runnerGroup?.Properties?.SecurityGroupIngress).toBeUndefined();
    expect(logicalIdsOf('AWS::EC2::SecurityGroupIngress')).toEqual([]);
  });

  it('use a cluster with Fargate Spot and on-demand capacity', () => {
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: Match.arrayWith(['FARGATE', 'FARGATE_SPOT']),
    });
  });
});

describe('logs', () => {
  it('keep every log group for the configured retention', () => {
    const groups = logicalIdsOf('AWS::Logs::LogGroup');
    // The relay, the GitHub steps, the state machine and the runners (a created VPC adds its flow logs).
    expect(groups.length).toBeGreaterThanOrEqual(4);
    for (const id of groups) expect(resources[id]?.Properties?.RetentionInDays).toBe(30);
  });
});

describe('outputs', () => {
  it('tell a person everything needed to finish the GitHub App setup', () => {
    const outputs = Object.keys(template.toJSON().Outputs as Record<string, unknown>);
    expect(outputs).toEqual(
      expect.arrayContaining(['WebhookUrl', 'WebhookSecretName', 'PrivateKeySecretName', 'StateMachineArn', 'StateMachineConsoleUrl', 'EventBusName', 'DeadLetterQueueUrl']),
    );
  });
});

describe('recovery: job-started handler, sweeper, redelivery and dead letters', () => {
  it('sends in_progress events of our runners to the job-started handler, with retries and the dead-letter queue', () => {
    const handler = functionWithEnv(ENV.stateMachineArn);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['github.com'], 'detail-type': ['workflow_job'], detail: { action: ['in_progress'], workflow_job: { runner_name: [{ prefix: 'ecs-' }] } } },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [handler, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 }, DeadLetterConfig: Match.anyValue() })],
    });
    const machine = only(logicalIdsOf('AWS::StepFunctions::StateMachine'));
    expect(JSON.stringify(statementsOfRole(functionRole(handler)).filter((s) => actionsOf(s).includes('states:StartExecution')))).toContain(machine);
  });

  it('runs the sweeper and the redelivery on schedules, one run at a time', () => {
    for (const marker of [ENV.maxTaskAgeSeconds, ENV.redeliveryWindowMinutes]) {
      const fn = functionWithEnv(marker);
      expect(resources[fn]?.Properties?.ReservedConcurrentExecutions).toBe(1);
      template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)', Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fn, 'Arn'] } })] });
    }
  });

  it('stops runner tasks only past the longest job plus the runner overhead and a margin', () => {
    const variables = (resources[functionWithEnv(ENV.maxTaskAgeSeconds)]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    // maxJobMinutes 360 + 15 min overhead + 15 min margin
    expect(variables[ENV.maxTaskAgeSeconds]).toBe(String((360 + 15 + 15) * 60));
  });

  it('alarms as soon as an event is dead-lettered', () => {
    const queue = only(logicalIdsOf('AWS::SQS::Queue'));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });
});
