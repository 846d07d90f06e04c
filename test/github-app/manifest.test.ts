import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFleetConfig } from '../../stacks/config';
import { buildManifest, defaultAppName, MANIFEST_TEMPLATES, MAX_APP_NAME_LENGTH, newAppUrl, type RunnerScope } from '../../github-app/manifest';

const WEBHOOK_URL = 'https://abcdefghijklmnop.lambda-url.eu-west-1.on.aws/';

function aManifest(scope: RunnerScope, rerun = false) {
  return buildManifest({ scope, webhookUrl: WEBHOOK_URL, rerun, name: 'octo-org ECS runners', homepageUrl: 'https://github.com/octo-org' });
}

describe('buildManifest', () => {
  it('asks an organization-scoped App for exactly Self-hosted runners: write, Actions: read, Metadata: read', () => {
    // GIVEN a fleet that registers runners at the organization
    // WHEN the manifest is built
    const manifest = aManifest('organization');

    // THEN it asks for what the fleet uses and nothing else
    expect(manifest.default_permissions).toEqual({ organization_self_hosted_runners: 'write', actions: 'read', metadata: 'read' });
  });

  it('asks a repository-scoped App for exactly Administration: write, Actions: read, Metadata: read', () => {
    // GIVEN a fleet that registers runners at each repository
    // WHEN the manifest is built
    const manifest = aManifest('repositories');

    // THEN repository runners are managed through Administration, and no organization permission is asked for
    expect(manifest.default_permissions).toEqual({ administration: 'write', actions: 'read', metadata: 'read' });
  });

  it.each<RunnerScope>(['organization', 'repositories'])('asks for Actions: write, and nothing more, when interrupted jobs are re-run (%s scope)', (scope) => {
    // GIVEN a fleet with rerunInterruptedJobs
    // WHEN the manifest is built with rerun
    const withRerun = aManifest(scope, true);

    // THEN only Actions changes, to write (re-running a job is a write)
    const { actions, ...others } = withRerun.default_permissions;
    expect(actions).toBe('write');
    const { actions: _read, ...othersWithoutRerun } = aManifest(scope).default_permissions;
    expect(others).toEqual(othersWithoutRerun);
  });

  it.each<RunnerScope>(['organization', 'repositories'])('subscribes only to workflow_job and fills in the webhook URL, name and homepage (%s scope)', (scope) => {
    // GIVEN the stack's webhook URL
    // WHEN the manifest is built
    const manifest = aManifest(scope);

    // THEN the App is private, its webhook active on the relay, and workflow_job its only event
    expect(manifest.default_events).toEqual(['workflow_job']);
    expect(manifest.hook_attributes).toEqual({ url: WEBHOOK_URL, active: true });
    expect(manifest.public).toBe(false);
    expect(manifest.name).toBe('octo-org ECS runners');
    expect(manifest.url).toBe('https://github.com/octo-org');
  });

  it('leaves the templates untouched', () => {
    // GIVEN a manifest built with rerun
    aManifest('organization', true);

    // THEN the template still asks for Actions: read and holds the webhook placeholder
    expect(MANIFEST_TEMPLATES.organization.default_permissions['actions']).toBe('read');
    expect(MANIFEST_TEMPLATES.organization.hook_attributes.url).toMatch(/WebhookUrl/);
  });

  it('redirects to a local address after creation, so the one-time code never reaches another site', () => {
    for (const template of Object.values(MANIFEST_TEMPLATES)) {
      expect(new URL(template.redirect_url).hostname).toBe('localhost');
    }
  });
});

describe('the manifest against the fleet configuration', () => {
  it('asks for the runner permission that matches the scope configured in cdk.json', () => {
    // GIVEN the fleet configuration shipped in cdk.json
    const cdkJson = JSON.parse(readFileSync(join(__dirname, '../../cdk.json'), 'utf8')) as { context: { fleet: unknown } };
    const config = parseFleetConfig(cdkJson.context.fleet);

    // WHEN the manifest is built for that scope
    const scope: RunnerScope = 'organization' in config.scope ? 'organization' : 'repositories';
    const manifest = buildManifest({ scope, webhookUrl: WEBHOOK_URL, rerun: config.rerunInterruptedJobs, name: 'x', homepageUrl: 'https://github.com' });

    // THEN organization runners come with organization_self_hosted_runners, repository runners with administration
    expect(manifest.default_permissions[scope === 'organization' ? 'organization_self_hosted_runners' : 'administration']).toBe('write');
    expect(manifest.default_permissions['actions']).toBe(config.rerunInterruptedJobs ? 'write' : 'read');
  });
});

describe('defaultAppName and newAppUrl', () => {
  it('names the App after the organization, within GitHub\'s length limit', () => {
    expect(defaultAppName('octo-org')).toBe('octo-org ECS runners');
    expect(defaultAppName(undefined)).toBe('ECS runners');
    expect(defaultAppName('a'.repeat(39)).length).toBeLessThanOrEqual(MAX_APP_NAME_LENGTH);
  });

  it('posts to the organization\'s new-App page, or the personal account\'s without an organization', () => {
    expect(newAppUrl('https://github.com', 'octo-org')).toBe('https://github.com/organizations/octo-org/settings/apps/new');
    expect(newAppUrl('https://github.com', undefined)).toBe('https://github.com/settings/apps/new');
    expect(newAppUrl('https://ghes.example.com', 'octo-org')).toBe('https://ghes.example.com/organizations/octo-org/settings/apps/new');
  });
});
