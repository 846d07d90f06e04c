// What create-app.ts tells the person running it: exact commands to copy, placeholders only where a value is
// not known yet, and never a secret.
import { COMMAND, DEFAULT_API_URL, type CreateCommand } from './arguments';
import type { ConvertedApp } from './convert-manifest-code';
import type { CredentialFiles } from './credential-files';
import { shellQuote } from './shell-quote';

const PRIVATE_KEY_PLACEHOLDER = '<PrivateKeySecretName>';
const WEBHOOK_SECRET_PLACEHOLDER = '<WebhookSecretName>';

/** Step 2's command line, with CODE where the code goes. */
export function exchangeCommandFor(command: Pick<CreateCommand, 'apiUrl' | 'privateKeySecret' | 'webhookSecret'>): string {
  return [
    `${COMMAND} --exchange CODE`,
    `--private-key-secret ${command.privateKeySecret ? shellQuote(command.privateKeySecret) : PRIVATE_KEY_PLACEHOLDER}`,
    `--webhook-secret ${command.webhookSecret ? shellQuote(command.webhookSecret) : WEBHOOK_SECRET_PLACEHOLDER}`,
    ...(command.apiUrl === DEFAULT_API_URL ? [] : [`--api-url ${shellQuote(command.apiUrl)}`]),
  ].join(' ');
}

export function renderCreateNextSteps(command: CreateCommand, pages: { pagePath: string; formAction: string; redirectUrl: string }): string {
  const placeholders = !command.privateKeySecret || !command.webhookSecret;
  return [
    `Wrote ${pages.pagePath}`,
    `1. Open it in a browser signed in to GitHub${command.org ? ` as an owner of ${command.org}` : ''}, click "Create GitHub App on GitHub" (it posts`,
    `   the manifest above to ${pages.formAction}), then "Create GitHub App" on GitHub.`,
    `2. GitHub sends the browser to ${pages.redirectUrl}?code=...; that page does not load (nothing listens there,`,
    '   so the code stays on this machine). Copy the code from the address bar: it works once, within an hour.',
    '3. Run:',
    `   ${exchangeCommandFor(command)}`,
    ...(placeholders ? ['   (PrivateKeySecretName and WebhookSecretName are outputs of the deployed stack.)'] : []),
    '',
  ].join('\n');
}

/** The App's settings page, where its webhook secret and private keys are managed. */
export function appSettingsUrl(app: Pick<ConvertedApp, 'htmlUrl' | 'slug' | 'owner' | 'ownerType'>): string {
  const origin = new URL(app.htmlUrl).origin;
  return app.owner && app.ownerType === 'Organization'
    ? `${origin}/organizations/${app.owner}/settings/apps/${app.slug}`
    : `${origin}/settings/apps/${app.slug}`;
}

export function renderExchangeReport(app: ConvertedApp, files: CredentialFiles, secrets: { privateKeySecret: string; webhookSecret: string | undefined }): string {
  const webhookSecretId = secrets.webhookSecret ? shellQuote(secrets.webhookSecret) : WEBHOOK_SECRET_PLACEHOLDER;
  const lines = [
    `Created the GitHub App "${app.name}"${app.owner ? ` owned by ${app.owner}` : ''}: ${app.htmlUrl}`,
    `App id: ${app.id}`,
    `Permissions: ${Object.entries(app.permissions).map(([permission, access]) => `${permission}: ${access}`).join(', ') || '(none reported)'}; events: ${app.events.join(', ') || '(none reported)'}`,
    '',
    `The secrets are in ${files.dir}, in files only you can read. Store them in the stack's secrets:`,
    '',
    '1. The private key:',
    `   aws secretsmanager put-secret-value --secret-id ${shellQuote(secrets.privateKeySecret)} --secret-string ${shellQuote(`file://${files.privateKey}`)}`,
  ];
  if (files.webhookSecret) {
    lines.push(
      '2. The webhook secret GitHub generated for the App; the relay checks signatures with the stack\'s secret, so it goes there:',
      `   aws secretsmanager put-secret-value --secret-id ${webhookSecretId} --secret-string ${shellQuote(`file://${files.webhookSecret}`)}`,
    );
  } else {
    lines.push(
      '2. GitHub generated no webhook secret: give the App the stack\'s. Print it with',
      `   aws secretsmanager get-secret-value --secret-id ${webhookSecretId} --query SecretString --output text | jq -r .current`,
      `   and paste it under Webhook → Secret in ${appSettingsUrl(app)}`,
    );
  }
  lines.push(
    ...(secrets.webhookSecret ? [] : ['   (WebhookSecretName is an output of the deployed stack.)']),
    `3. Delete the secrets from this machine: ${files.removeCommand}`,
    `4. Set "gitHubAppId": ${app.id} under context.fleet in cdk.json, and deploy: npx cdk deploy`,
    `5. Install the App on the organization or the repositories the fleet serves: ${app.htmlUrl}/installations/new`,
    '',
    'GitHub also generated a client secret; it is not saved, because the fleet does not use OAuth.',
    '',
  );
  return lines.join('\n');
}
