// The new App's secrets go to files only their owner can read, which `aws secretsmanager put-secret-value
// --secret-string file://...` then reads: the secrets never appear on the terminal, in shell history or in `ps`.
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from './arguments';
import type { ConvertedApp } from './convert-manifest-code';
import { shellQuote } from './shell-quote';

export const PRIVATE_KEY_FILE = 'private-key.pem';
export const WEBHOOK_SECRET_FILE = 'webhook-secret.json';

export interface CredentialFiles {
  dir: string;
  /** The command that deletes them again. */
  removeCommand: string;
  privateKey: string;
  /** Undefined when GitHub generated no webhook secret. */
  webhookSecret: string | undefined;
}

export interface CredentialDir {
  path: string;
  /** Made by this script (the default), not given with --out-dir. */
  created: boolean;
}

/**
 * The directory for the secrets, ready before the code is traded (a code works once: failing to write the key
 * afterwards would lose it). Default: a new directory only this user can open, outside any repository.
 */
export function prepareCredentialDir(outDir: string | undefined, tempRoot = tmpdir()): CredentialDir {
  if (outDir === undefined) return { path: mkdtempSync(join(tempRoot, 'github-app-')), created: true };
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const file of [PRIVATE_KEY_FILE, WEBHOOK_SECRET_FILE]) {
    if (existsSync(join(dir, file))) {
      throw new UsageError(`${join(dir, file)} already exists: move it away (it may be another App's key) or pass another --out-dir.`);
    }
  }
  return { path: dir, created: false };
}

/** Removes a directory this script created and left empty (the code was refused). */
export function discardCredentialDir(dir: CredentialDir): void {
  if (dir.created) rmdirSync(dir.path);
}

export function writeCredentialFiles(credentialDir: CredentialDir, app: ConvertedApp): CredentialFiles {
  const dir = credentialDir.path;
  const privateKey = join(dir, PRIVATE_KEY_FILE);
  // 'wx': never overwrite; mode 0600 is applied on creation (the umask can only remove bits).
  writeFileSync(privateKey, app.pem, { mode: 0o600, flag: 'wx' });
  let webhookSecret: string | undefined;
  if (app.webhookSecret !== null) {
    webhookSecret = join(dir, WEBHOOK_SECRET_FILE);
    // The shape the relay reads from the stack's webhook secret (lambdas/webhook-relay/webhook-secrets.ts).
    writeFileSync(webhookSecret, JSON.stringify({ current: app.webhookSecret }), { mode: 0o600, flag: 'wx' });
  }
  const written = [privateKey, ...(webhookSecret ? [webhookSecret] : [])];
  // A directory this script made holds nothing else: remove it whole. Someone else's keeps its other files.
  const removeCommand = credentialDir.created ? `rm -r ${shellQuote(dir)}` : `rm ${written.map(shellQuote).join(' ')}`;
  return { dir, removeCommand, privateKey, webhookSecret };
}
