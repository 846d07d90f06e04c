// The fleet only registers runners where it was configured to: one organization, or a list of repositories.
import type { GitHubScope, LaunchRequest } from '../../statemachine/contracts';
import type { InstallationOwner, RunnerTarget } from '../github/client';
import { InvalidLaunchRequestError } from '../shared/errors';

export type ScopedTarget = Omit<Extract<RunnerTarget, { type: 'organization' }>, 'installationId'> | Omit<Extract<RunnerTarget, { type: 'repository' }>, 'installationId'>;

/** Where this request's runner registers; throws when the repository is outside the configured scope. */
export function runnerTargetFor(request: LaunchRequest, scope: GitHubScope): ScopedTarget {
  if (scope.type === 'organization') {
    if (request.owner.toLowerCase() !== scope.organization.toLowerCase()) {
      throw new InvalidLaunchRequestError(
        'owner',
        `is '${request.owner}', but this fleet serves the organization '${scope.organization}' only. Deploy another fleet for '${request.owner}', or launch for a repository of '${scope.organization}'.`,
      );
    }
    return { type: 'organization', org: scope.organization };
  }
  const fullName = `${request.owner}/${request.repo}`.toLowerCase();
  if (!scope.repositories.some((repository) => repository.toLowerCase() === fullName)) {
    throw new InvalidLaunchRequestError(
      'repo',
      `'${request.owner}/${request.repo}' is not one of the fleet's repositories (${scope.repositories.join(', ') || 'none'}). Add it to the GitHub scope's repositories in the fleet configuration and redeploy.`,
    );
  }
  return { type: 'repository', owner: request.owner, repo: request.repo };
}

/** The installation that covers the target: the organization's, or the repository's. */
export function installationOwnerOf(target: ScopedTarget): InstallationOwner {
  return target.type === 'organization' ? { org: target.org } : { owner: target.owner, repo: target.repo };
}

/** Runner group of the registration: the configured group for an organization, the default group (1) for a repository. */
export function runnerGroupIdOf(scope: GitHubScope): number {
  return scope.type === 'organization' ? scope.runnerGroupId : 1;
}
