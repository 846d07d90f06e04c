// The GitHub App manifest for the fleet: the permissions and events live in the two JSON templates next to this
// file (one per runner scope), so a reviewer reads exactly what GitHub will be asked for.
import * as z from 'zod';
import organizationTemplate from './manifest.organization.json';
import repositoriesTemplate from './manifest.repositories.json';

/** Where the fleet registers runners: `scope.organization` or `scope.repositories` in the fleet configuration. */
export type RunnerScope = 'organization' | 'repositories';

const access = z.enum(['read', 'write']);

const manifestSchema = z
  .object({
    name: z.string().min(1),
    url: z.url(),
    description: z.string(),
    public: z.boolean(),
    hook_attributes: z.object({ url: z.string(), active: z.boolean() }).strict(),
    redirect_url: z.url(),
    default_permissions: z.record(z.string(), access),
    default_events: z.array(z.string()).min(1),
  })
  .strict();

export type AppManifest = z.infer<typeof manifestSchema>;

/** GitHub refuses longer App names. */
export const MAX_APP_NAME_LENGTH = 34;

export const MANIFEST_TEMPLATES: Readonly<Record<RunnerScope, AppManifest>> = {
  organization: manifestSchema.parse(organizationTemplate),
  repositories: manifestSchema.parse(repositoriesTemplate),
};

export interface ManifestOptions {
  scope: RunnerScope;
  /** The stack's `WebhookUrl` output. */
  webhookUrl: string;
  /** `rerunInterruptedJobs` re-runs jobs, which needs Actions: write. */
  rerun: boolean;
  name: string;
  /** The App's homepage (required by GitHub). */
  homepageUrl: string;
}

export function buildManifest(options: ManifestOptions): AppManifest {
  const template = MANIFEST_TEMPLATES[options.scope];
  return {
    ...template,
    name: options.name,
    url: options.homepageUrl,
    hook_attributes: { ...template.hook_attributes, url: options.webhookUrl },
    default_permissions: { ...template.default_permissions, ...(options.rerun ? { actions: 'write' } : {}) },
    default_events: [...template.default_events],
  };
}

/** A name that reads well in GitHub's App list and fits its length limit. */
export function defaultAppName(org: string | undefined): string {
  const name = org ? `${org} ECS runners` : 'ECS runners';
  return name.length <= MAX_APP_NAME_LENGTH ? name : 'ECS runners';
}

/** `https://github.com/organizations/ORG/settings/apps/new`, or the personal account's page without an org. */
export function newAppUrl(webRoot: string, org: string | undefined): string {
  return org ? `${webRoot}/organizations/${encodeURIComponent(org)}/settings/apps/new` : `${webRoot}/settings/apps/new`;
}
