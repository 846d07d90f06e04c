// Installation access tokens: `ghs_` + 36 alphanumerics, valid one hour, bound to one installation.
import { randomBytes } from 'node:crypto';

const TOKEN_LIFETIME_MS = 60 * 60 * 1000;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export class InstallationTokens {
  private readonly tokens = new Map<string, { installationId: number; expiresAtMs: number }>();

  issue(installationId: number, nowMs: number): { token: string; expiresAtMs: number } {
    const token = `ghs_${[...randomBytes(36)].map((byte) => ALPHABET[byte % ALPHABET.length]).join('')}`;
    const expiresAtMs = nowMs + TOKEN_LIFETIME_MS;
    this.tokens.set(token, { installationId, expiresAtMs });
    return { token, expiresAtMs };
  }

  /** The installation the token acts for, or null when it is unknown or expired. */
  resolve(token: string, nowMs: number): number | null {
    const entry = this.tokens.get(token);
    return entry && entry.expiresAtMs > nowMs ? entry.installationId : null;
  }
}
