// Real-shaped GitHub REST responses (docs.github.com/rest), trimmed to the fields a reader needs to recognize them.
export const API_URL = 'https://api.github.com';
export const INSTALLATION_ID = 42;
export const APP_ID = 123456;

/** Stand-ins for credentials: the tests assert these never leave the places they belong. */
export const INSTALLATION_TOKEN = 'ghs_fixtureInstallationToken000000000001';
export const ENCODED_JIT_CONFIG = 'eyJmaXh0dXJlIjoiSklUIGNvbmZpZyBzZWNyZXQifQ==';

export function installationTokenResponse(token = INSTALLATION_TOKEN) {
  return {
    token,
    expires_at: new Date(Date.now() + 60 * 60 * 1000).toISOString(),
    permissions: { actions: 'read', administration: 'write', metadata: 'read', organization_self_hosted_runners: 'write' },
    repository_selection: 'all',
  };
}

export function installationResponse(id = INSTALLATION_ID, login = 'octo-org') {
  return {
    id,
    account: { login, id: 9919, type: 'Organization', site_admin: false },
    repository_selection: 'all',
    access_tokens_url: `https://api.github.com/app/installations/${id}/access_tokens`,
    app_id: APP_ID,
    app_slug: 'ecs-runners',
    target_id: 9919,
    target_type: 'Organization',
    permissions: { actions: 'read', administration: 'write', metadata: 'read' },
    events: ['workflow_job'],
    created_at: '2026-01-10T08:00:00.000Z',
    updated_at: '2026-01-10T08:00:00.000Z',
    single_file_name: null,
    suspended_at: null,
  };
}

export interface JobFixture {
  id?: number;
  status?: 'queued' | 'in_progress' | 'completed' | 'waiting';
  conclusion?: string | null;
  runner_name?: string | null;
  runner_id?: number | null;
  run_attempt?: number;
}

export function jobResponse(overrides: JobFixture = {}) {
  const id = overrides.id ?? 1234567;
  return {
    id,
    run_id: 7654321,
    workflow_name: 'CI',
    head_branch: 'main',
    run_url: 'https://api.github.com/repos/octo-org/hello-world/actions/runs/7654321',
    run_attempt: overrides.run_attempt ?? 1,
    node_id: 'CR_kwDOABCD8c8AAAAC',
    head_sha: '009b8a3a9ccbb128af87f9b1c0f4c62e8a304f6d',
    url: `https://api.github.com/repos/octo-org/hello-world/actions/jobs/${id}`,
    html_url: `https://github.com/octo-org/hello-world/actions/runs/7654321/job/${id}`,
    status: overrides.status ?? 'queued',
    conclusion: overrides.conclusion ?? null,
    created_at: '2026-12-04T16:00:00Z',
    started_at: '2026-12-04T16:00:00Z',
    completed_at: null,
    name: 'build',
    steps: [],
    check_run_url: `https://api.github.com/repos/octo-org/hello-world/check-runs/${id}`,
    labels: ['self-hosted', 'linux', 'fargate'],
    runner_id: overrides.runner_id ?? null,
    runner_name: overrides.runner_name ?? null,
    runner_group_id: overrides.runner_name ? 1 : null,
    runner_group_name: overrides.runner_name ? 'Default' : null,
  };
}

export function jitConfigResponse(name: string, id = 23, encoded = ENCODED_JIT_CONFIG) {
  return {
    runner: {
      id,
      name,
      os: 'unknown',
      status: 'offline',
      busy: false,
      labels: [
        { id: 5, name: 'self-hosted', type: 'read-only' },
        { id: 7, name: 'X64', type: 'read-only' },
        { id: 11, name: 'Linux', type: 'read-only' },
        { id: 21, name: 'fargate', type: 'custom' },
      ],
    },
    encoded_jit_config: encoded,
  };
}

export function runnersResponse(runners: { id: number; name: string; status?: string; busy?: boolean }[]) {
  return {
    total_count: runners.length,
    runners: runners.map((runner) => ({
      id: runner.id,
      name: runner.name,
      os: 'linux',
      status: runner.status ?? 'offline',
      busy: runner.busy ?? false,
      ephemeral: true,
      labels: [{ id: 5, name: 'self-hosted', type: 'read-only' }],
    })),
  };
}

const DOCS = 'https://docs.github.com/rest';
export const errorBodies = {
  notFound: { message: 'Not Found', documentation_url: `${DOCS}/actions/self-hosted-runners#delete-a-self-hosted-runner-from-a-repository`, status: '404' },
  nameTaken: (name: string) => ({
    message: `Already exists - A runner with the name ${name} already exists.`,
    documentation_url: `${DOCS}/actions/self-hosted-runners#create-configuration-for-a-just-in-time-runner-for-a-repository`,
    status: '409',
  }),
  runnerBusy: (name: string) => ({
    message: `Bad request - Runner "${name}" is still running a job"`,
    documentation_url: `${DOCS}/actions/self-hosted-runners#delete-a-self-hosted-runner-from-a-repository`,
    status: '422',
  }),
  primaryRateLimit: { message: `API rate limit exceeded for installation ID ${INSTALLATION_ID}.`, documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`, status: '403' },
  secondaryRateLimit: {
    message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
    documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
    status: '429',
  },
  forbidden: { message: 'Resource not accessible by integration', documentation_url: `${DOCS}/actions/self-hosted-runners`, status: '403' },
  serverError: { message: 'Server Error' },
};
