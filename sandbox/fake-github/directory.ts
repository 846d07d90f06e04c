// Who exists: the App's installations, their accounts and the repositories they can reach. Names are
// case-insensitive, as on GitHub; ids are stable for the life of the fake.
import type { InstallationConfig, PermissionLevel } from './types';

export interface Account {
  login: string;
  id: number;
  type: 'Organization' | 'User';
}

export interface Repository {
  id: number;
  name: string;
  fullName: string;
  owner: Account;
  installationId: number;
}

export interface Installation {
  id: number;
  account: Account;
  repositorySelection: 'all' | 'selected';
  permissions: Record<string, PermissionLevel>;
  createdAtMs: number;
}

const DEFAULT_PERMISSIONS: Record<string, PermissionLevel> = {
  actions: 'write',
  administration: 'write',
  metadata: 'read',
  organization_self_hosted_runners: 'write',
};

export class Directory {
  private readonly installationsById = new Map<number, Installation>();
  private readonly accounts = new Map<string, Account>();
  private readonly repositories = new Map<string, Repository>();
  private nextAccountId = 9_000_001;
  private nextRepositoryId = 700_000_001;

  constructor(configs: readonly InstallationConfig[], nowMs: number) {
    for (const config of configs) {
      const account = this.account(config.account, config.accountType ?? 'Organization');
      const installation: Installation = {
        id: config.id,
        account,
        repositorySelection: config.repositories ? 'selected' : 'all',
        permissions: config.permissions ?? DEFAULT_PERMISSIONS,
        createdAtMs: nowMs,
      };
      this.installationsById.set(config.id, installation);
      for (const fullName of config.repositories ?? []) {
        const [owner, name, ...rest] = fullName.split('/');
        if (!owner || !name || rest.length > 0) throw new Error(`Installation ${config.id}: '${fullName}' is not owner/repo`);
        this.addRepository(this.account(owner, account.type), name, installation.id);
      }
    }
  }

  installations(): Installation[] {
    return [...this.installationsById.values()];
  }

  installation(id: number): Installation | undefined {
    return this.installationsById.get(id);
  }

  /** The repository, if an installation of the App reaches it. */
  repository(owner: string, name: string): Repository | undefined {
    const known = this.repositories.get(key(`${owner}/${name}`));
    if (known) return known;
    const installation = [...this.installationsById.values()].find(
      (candidate) => candidate.repositorySelection === 'all' && key(candidate.account.login) === key(owner),
    );
    return installation ? this.addRepository(installation.account, name, installation.id) : undefined;
  }

  /** The organization and the installation on it. */
  organization(login: string): Installation | undefined {
    return [...this.installationsById.values()].find(
      (installation) => installation.account.type === 'Organization' && key(installation.account.login) === key(login),
    );
  }

  private account(login: string, type: Account['type']): Account {
    const existing = this.accounts.get(key(login));
    if (existing) return existing;
    const account = { login, id: this.nextAccountId++, type };
    this.accounts.set(key(login), account);
    return account;
  }

  private addRepository(owner: Account, name: string, installationId: number): Repository {
    const repository = { id: this.nextRepositoryId++, name, fullName: `${owner.login}/${name}`, owner, installationId };
    this.repositories.set(key(repository.fullName), repository);
    return repository;
  }
}

export function key(name: string): string {
  return name.toLowerCase();
}
