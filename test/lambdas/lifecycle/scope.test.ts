import { runnerGroupIdOf, runnerTargetFor } from '../../../lambdas/lifecycle/scope';
import { InvalidLaunchRequestError } from '../../../lambdas/shared/errors';
import { aLaunchRequest } from '../support/builders';

const repositories = { type: 'repositories' as const, repositories: ['octo-org/hello-world', 'octo-org/api'] };
const organization = { type: 'organization' as const, organization: 'octo-org', runnerGroupId: 4 };

describe('runnerTargetFor', () => {
  it('registers repository runners for a listed repository, whatever its case', () => {
    expect(runnerTargetFor(aLaunchRequest({ owner: 'Octo-Org', repo: 'Hello-World' }), repositories)).toEqual({ type: 'repository', owner: 'Octo-Org', repo: 'Hello-World' });
  });

  it('registers organization runners for any repository of the organization', () => {
    expect(runnerTargetFor(aLaunchRequest({ repo: 'anything' }), organization)).toEqual({ type: 'organization', org: 'octo-org' });
  });

  it('rejects a repository outside the list, saying how to add it', () => {
    const attempt = () => runnerTargetFor(aLaunchRequest({ repo: 'secret-project' }), repositories);

    expect(attempt).toThrow(InvalidLaunchRequestError);
    expect(attempt).toThrow("'octo-org/secret-project' is not one of the fleet's repositories (octo-org/hello-world, octo-org/api). Add it to the GitHub scope's repositories");
  });

  it('rejects another organization', () => {
    expect(() => runnerTargetFor(aLaunchRequest({ owner: 'evil-org' }), organization)).toThrow("'owner' is 'evil-org', but this fleet serves the organization 'octo-org' only");
  });
});

describe('runnerGroupIdOf', () => {
  it('uses the configured group for an organization and the default group for repositories', () => {
    expect(runnerGroupIdOf(organization)).toBe(4);
    expect(runnerGroupIdOf(repositories)).toBe(1);
  });
});
