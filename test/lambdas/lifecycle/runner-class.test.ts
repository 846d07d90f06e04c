import { matchRunnerClass, registrationLabels } from '../../../lambdas/lifecycle/runner-class';
import { aRunnerClass } from '../support/builders';

const fargate = aRunnerClass({ name: 'fargate', labels: ['fargate'] });
const armDocker = aRunnerClass({ name: 'docker-arm', labels: ['docker', 'large'], architecture: 'arm64', docker: true });
const anyDocker = aRunnerClass({ name: 'docker-any', labels: ['docker'] });

describe('matchRunnerClass', () => {
  it('matches when every requested label is the class label or one GitHub adds itself', () => {
    expect(matchRunnerClass(['self-hosted', 'linux', 'x64', 'fargate'], [fargate])).toBe(fargate);
  });

  it('compares labels case-insensitively', () => {
    expect(matchRunnerClass(['Self-Hosted', 'Linux', 'X64', 'FARGATE'], [fargate])).toBe(fargate);
  });

  it('offers arm64, not x64, for an arm64 class', () => {
    expect(matchRunnerClass(['docker', 'arm64'], [armDocker])).toBe(armDocker);
    expect(matchRunnerClass(['docker', 'x64'], [armDocker])).toBeUndefined();
  });

  it('picks the first matching class in configuration order', () => {
    expect(matchRunnerClass(['docker'], [fargate, armDocker, anyDocker])).toBe(armDocker);
    expect(matchRunnerClass(['docker'], [fargate, anyDocker, armDocker])).toBe(anyDocker);
  });

  it('matches nothing when a requested label is offered by no class', () => {
    expect(matchRunnerClass(['self-hosted', 'gpu'], [fargate, armDocker])).toBeUndefined();
  });
});

describe('registrationLabels', () => {
  it('registers the class labels plus the platform labels the class does not list', () => {
    expect(registrationLabels(aRunnerClass({ labels: ['fargate', 'Linux'] }))).toEqual(['fargate', 'Linux', 'self-hosted', 'x64']);
  });
});
