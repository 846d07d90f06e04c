// GitHub and AWS answers for `fleet doctor`, shaped like the real ones (trimmed to the fields doctor reads).
import { ACCOUNT, REGION, STACK_OUTPUTS } from './fixtures';

export const API_URL = 'https://api.github.com';
export const APP_ID = 123456;
export const APP_SLUG = 'octo-org-ecs-runners';
export const ORG = 'octo-org';
export const INSTALLATION_ID = 42;
export const WEBHOOK_URL = 'https://abc123.lambda-url.eu-west-1.on.aws/';
export const WEBHOOK_SECRET_NAME = 'FleetWebhookSecret-abc';
export const PRIVATE_KEY_SECRET_NAME = 'FleetPrivateKey-xyz';
export const INSTALLATION_TOKEN = 'ghs_doctorInstallationToken0123456789';
export const NOW = new Date('2025-03-01T10:20:00.000Z');

export const DOCTOR_STACK_OUTPUTS = [
  ...STACK_OUTPUTS,
  { OutputKey: 'WebhookUrl', OutputValue: WEBHOOK_URL },
  { OutputKey: 'WebhookSecretName', OutputValue: WEBHOOK_SECRET_NAME },
  { OutputKey: 'PrivateKeySecretName', OutputValue: PRIVATE_KEY_SECRET_NAME },
  { OutputKey: 'EventBusName', OutputValue: 'GitHubRunnersBus' },
  { OutputKey: 'DeadLetterQueueUrl', OutputValue: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/dead-letters` },
  { OutputKey: 'DashboardUrl', OutputValue: `https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#dashboards:name=GitHubRunners-Fleet` },
];

const RUNNER_CLASSES = [{ name: 'small', labels: ['fargate-small'], cpu: 1024, memoryMiB: 2048 }];

/** cdk.json with an organization scope (or whatever `fleet` overrides). */
export function cdkJson(fleet: Record<string, unknown> = {}): string {
  return JSON.stringify({ app: 'npx tsx stacks/app.ts', context: { fleet: { gitHubAppId: APP_ID, scope: { organization: ORG }, runnerClasses: RUNNER_CLASSES, ...fleet } } });
}

export const APP = {
  id: APP_ID,
  slug: APP_SLUG,
  name: 'octo-org ECS runners',
  html_url: `https://github.com/apps/${APP_SLUG}`,
  owner: { login: ORG, type: 'Organization' },
  permissions: { organization_self_hosted_runners: 'write', actions: 'read', metadata: 'read' },
  events: ['workflow_job'],
};

export function orgInstallation(overrides: { permissions?: Record<string, string>; events?: string[] } = {}) {
  return {
    id: INSTALLATION_ID,
    account: { login: ORG, type: 'Organization' },
    html_url: `https://github.com/organizations/${ORG}/settings/installations/${INSTALLATION_ID}`,
    app_id: APP_ID,
    target_type: 'Organization',
    permissions: overrides.permissions ?? { organization_self_hosted_runners: 'write', actions: 'read', metadata: 'read' },
    events: overrides.events ?? ['workflow_job'],
  };
}

export function hookConfig(url = WEBHOOK_URL) {
  return { content_type: 'json', insecure_ssl: '0', secret: '********', url };
}

let deliveryId = 1;
export function delivery(statusCode: number, minutesAgo: number, event = 'workflow_job') {
  deliveryId += 1;
  return {
    id: deliveryId,
    guid: `0b989ba4-242f-11e5-81e1-c7b6966d2516-${deliveryId}`,
    delivered_at: new Date(NOW.getTime() - minutesAgo * 60_000).toISOString(),
    redelivery: false,
    duration: 0.27,
    status: statusCode === 202 ? 'OK' : 'Invalid HTTP Response',
    status_code: statusCode,
    event,
    action: 'queued',
    installation_id: INSTALLATION_ID,
    repository_id: 1296269,
  };
}

export function smokeTestRuns(conclusion: string | null = 'success', status = 'completed') {
  return {
    total_count: 1,
    workflow_runs: [{ id: 30433642, name: 'Fleet smoke test', status, conclusion, created_at: '2025-03-01T09:00:00Z', html_url: `https://github.com/${ORG}/hello-world/actions/runs/30433642` }],
  };
}

export function installationTokenResponse() {
  return { token: INSTALLATION_TOKEN, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: { actions: 'read', metadata: 'read' }, repository_selection: 'all' };
}
