// The JSON GitHub serves, built from the fake's records: the REST objects and the webhook payload share them.
import type { Account, Installation, Repository } from './directory';
import { isoSeconds } from './json';
import { runnerLabels, type JobRecord, type RunnerRecord } from './state';

const WEB_URL = 'https://github.com';

export interface AppInfo {
  id: number;
  slug: string;
  createdAtMs: number;
}

export function accountJson(account: Account, apiUrl: string): Record<string, unknown> {
  const path = account.type === 'Organization' ? 'orgs' : 'users';
  return {
    login: account.login,
    id: account.id,
    node_id: nodeId(account.type === 'Organization' ? 'O_' : 'U_', account.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${account.id}?v=4`,
    url: `${apiUrl}/${path}/${account.login}`,
    html_url: `${WEB_URL}/${account.login}`,
    type: account.type,
    site_admin: false,
  };
}

export function appJson(app: AppInfo, owner: Account | undefined, apiUrl: string, installationsCount: number): Record<string, unknown> {
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId('A_', app.id),
    client_id: `Iv1.${app.id.toString(16).padStart(16, '0')}`,
    owner: owner ? accountJson(owner, apiUrl) : null,
    name: app.slug,
    description: 'Ephemeral runners on Amazon ECS (fake GitHub)',
    external_url: 'https://example.com',
    html_url: `${WEB_URL}/apps/${app.slug}`,
    created_at: isoSeconds(app.createdAtMs),
    updated_at: isoSeconds(app.createdAtMs),
    permissions: { actions: 'write', administration: 'write', metadata: 'read', organization_self_hosted_runners: 'write' },
    events: ['workflow_job'],
    installations_count: installationsCount,
  };
}

export function installationJson(installation: Installation, app: AppInfo, apiUrl: string): Record<string, unknown> {
  return {
    id: installation.id,
    account: accountJson(installation.account, apiUrl),
    repository_selection: installation.repositorySelection,
    access_tokens_url: `${apiUrl}/app/installations/${installation.id}/access_tokens`,
    repositories_url: `${apiUrl}/installation/repositories`,
    html_url: `${WEB_URL}/organizations/${installation.account.login}/settings/installations/${installation.id}`,
    app_id: app.id,
    app_slug: app.slug,
    target_id: installation.account.id,
    target_type: installation.account.type,
    permissions: installation.permissions,
    events: ['workflow_job'],
    created_at: isoSeconds(installation.createdAtMs),
    updated_at: isoSeconds(installation.createdAtMs),
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

export function repositoryJson(repository: Repository, apiUrl: string): Record<string, unknown> {
  return {
    id: repository.id,
    node_id: nodeId('R_', repository.id),
    name: repository.name,
    full_name: repository.fullName,
    private: true,
    owner: accountJson(repository.owner, apiUrl),
    html_url: `${WEB_URL}/${repository.fullName}`,
    url: `${apiUrl}/repos/${repository.fullName}`,
    default_branch: 'main',
  };
}

export function runnerJson(runner: RunnerRecord, labelIds: (name: string) => number): Record<string, unknown> {
  return {
    id: runner.id,
    runner_group_id: runner.runnerGroupId,
    name: runner.name,
    // The runner reports its OS when it connects; before that GitHub says "unknown".
    os: runner.architecture ? 'Linux' : 'unknown',
    status: runner.status,
    busy: runner.busy,
    ephemeral: true,
    labels: runnerLabels(runner).map((label) => ({ id: labelIds(label.name), name: label.name, type: label.type })),
  };
}

export function jobJson(job: JobRecord, apiUrl: string): Record<string, unknown> {
  const repoApi = `${apiUrl}/repos/${job.repository.fullName}`;
  return {
    id: job.id,
    run_id: job.runId,
    workflow_name: 'CI',
    head_branch: 'main',
    run_url: `${repoApi}/actions/runs/${job.runId}`,
    run_attempt: job.runAttempt,
    node_id: nodeId('CR_', job.id),
    head_sha: job.headSha,
    url: `${repoApi}/actions/jobs/${job.id}`,
    html_url: `${WEB_URL}/${job.repository.fullName}/actions/runs/${job.runId}/job/${job.id}`,
    status: job.status,
    conclusion: job.conclusion,
    created_at: isoSeconds(job.createdAtMs),
    // A queued job reports its creation time as started_at, as GitHub does.
    started_at: isoSeconds(job.startedAtMs ?? job.createdAtMs),
    completed_at: job.completedAtMs === null ? null : isoSeconds(job.completedAtMs),
    name: job.name,
    steps: [],
    check_run_url: `${repoApi}/check-runs/${job.id}`,
    labels: job.labels,
    runner_id: job.runner?.id ?? null,
    runner_name: job.runner?.name ?? null,
    runner_group_id: job.runner?.groupId ?? null,
    runner_group_name: job.runner?.groupName ?? null,
  };
}

/** The `workflow_job` webhook payload. */
export function workflowJobPayload(
  action: string,
  job: JobRecord,
  installationId: number,
  apiUrl: string,
): Record<string, unknown> {
  const owner = job.repository.owner;
  return {
    action,
    workflow_job: jobJson(job, apiUrl),
    repository: repositoryJson(job.repository, apiUrl),
    ...(owner.type === 'Organization'
      ? { organization: { login: owner.login, id: owner.id, node_id: nodeId('O_', owner.id), url: `${apiUrl}/orgs/${owner.login}` } }
      : {}),
    installation: { id: installationId, node_id: nodeId('MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u', installationId) },
    sender: { login: 'octocat', id: 583231, node_id: 'MDQ6VXNlcjU4MzIzMQ==', type: 'User', site_admin: false },
  };
}

function nodeId(prefix: string, id: number): string {
  return `${prefix}${Buffer.from(String(id)).toString('base64url')}`;
}
