// The App manifest must grant exactly what the fleet's GitHub calls need for the scope in the configuration:
// the routes below are the ones lambdas/github/client.ts calls, and the permission GitHub's REST docs list for each.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildManifest, type RunnerScope } from '../../github-app/manifest';
import { parseFleetConfig, type FleetConfigInput } from '../../stacks/config';

type Permissions = Record<string, 'read' | 'write'>;

/** What the fleet calls, per scope: runners (register, list, read, delete), jobs (read; re-run when enabled). */
function permissionsTheFleetNeeds(scope: RunnerScope, rerun: boolean): Permissions {
  const runners: Permissions = scope === 'organization' ? { organization_self_hosted_runners: 'write' } : { administration: 'write' };
  return { ...runners, actions: rerun ? 'write' : 'read', metadata: 'read' };
}

function manifestFor(config: FleetConfigInput) {
  const fleet = parseFleetConfig(config);
  const scope: RunnerScope = 'organization' in fleet.scope ? 'organization' : 'repositories';
  return { scope, rerun: fleet.rerunInterruptedJobs, manifest: buildManifest({ scope, rerun: fleet.rerunInterruptedJobs, webhookUrl: 'https://example.lambda-url.eu-west-1.on.aws/', name: 'fleet', homepageUrl: 'https://github.com/octo-org' }) };
}

describe('the App manifest against the configured scope', () => {
  const cdkJson = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: { fleet: FleetConfigInput } };

  it.each([
    ['cdk.json as shipped', cdkJson.context.fleet],
    ['an organization with re-runs on', { ...cdkJson.context.fleet, rerunInterruptedJobs: true }],
    ['a list of repositories', { ...cdkJson.context.fleet, scope: { repositories: ['octo-org/hello-world'] }, network: cdkJson.context.fleet.network }],
    ['a list of repositories with re-runs on', { ...cdkJson.context.fleet, scope: { repositories: ['octo-org/hello-world'] }, rerunInterruptedJobs: true }],
  ])('grants exactly what the fleet needs for %s, and subscribes to workflow_job only', (_, config) => {
    const { scope, rerun, manifest } = manifestFor(config);

    expect(manifest.default_permissions).toEqual(permissionsTheFleetNeeds(scope, rerun));
    expect(manifest.default_events).toEqual(['workflow_job']);
  });
});
