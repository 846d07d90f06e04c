// The webhook secret as Secrets Manager holds it, `{"current": "...", "previous": "..."}` (previous only while
// rotating) or a plain string, with a throttled re-read: a just-rotated secret works at once, and a flood of
// forged deliveries cannot hammer Secrets Manager.
import * as z from 'zod';
import type { SecretReader } from '../shared/secrets';

/** The secret exists but holds no usable value. Messages name the secret, never its value. */
export class WebhookSecretNotConfiguredError extends Error {
  override readonly name = 'WebhookSecretNotConfiguredError';
}

/** Secrets Manager could not be read (missing secret, no permission, outage). */
export class WebhookSecretUnavailableError extends Error {
  override readonly name = 'WebhookSecretUnavailableError';
}

export const DEFAULT_MIN_REFRESH_INTERVAL_MS = 60_000;

const nonBlank = z.string().regex(/\S/);
const rotatingSecretSchema = z.object({
  current: nonBlank,
  // A rotation script may leave an empty or null `previous` behind: that means "none".
  previous: z.string().nullish(),
});

/** The secrets that may sign a delivery, current first. */
export function parseWebhookSecret(text: string, secretArn: string): string[] {
  const json = parseJson(text);
  if (typeof json === 'object' && json !== null) {
    const parsed = rotatingSecretSchema.safeParse(json);
    if (!parsed.success) {
      throw new WebhookSecretNotConfiguredError(
        `Webhook secret ${secretArn} is JSON without a non-empty "current" string: store {"current": "<secret>"} (add "previous": "<old secret>" while rotating).`,
      );
    }
    const { current, previous } = parsed.data;
    return typeof previous === 'string' && nonBlank.safeParse(previous).success ? [current, previous] : [current];
  }
  // Anything that is not a JSON object is the secret itself, verbatim (a plain secret may look like a number).
  if (!nonBlank.safeParse(text).success) {
    throw new WebhookSecretNotConfiguredError(`Webhook secret ${secretArn} is blank: store {"current": "<secret>"} and give the same secret to the GitHub App.`);
  }
  return [text];
}

export interface WebhookSecrets {
  /** The secrets that may sign a delivery, current first; from the container's cache after the first read. */
  read(): Promise<string[]>;
  /** Reads the secret again from Secrets Manager, unless it was re-read recently: then resolves to undefined. */
  refresh(): Promise<string[] | undefined>;
}

export interface WebhookSecretsOptions {
  secretArn: string;
  /** @default 60000 */
  minRefreshIntervalMs?: number;
  now?: () => number;
}

export function createWebhookSecrets(reader: Pick<SecretReader, 'read'>, options: WebhookSecretsOptions): WebhookSecrets {
  const { secretArn } = options;
  const minRefreshIntervalMs = options.minRefreshIntervalMs ?? DEFAULT_MIN_REFRESH_INTERVAL_MS;
  const now = options.now ?? Date.now;
  let lastRefreshAt = Number.NEGATIVE_INFINITY;
  let refreshing: Promise<string[]> | undefined;

  const load = async (forceRefresh: boolean): Promise<string[]> => {
    let text: string;
    try {
      text = await reader.read({ forceRefresh });
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
      throw new WebhookSecretUnavailableError(`Webhook secret ${secretArn} could not be read (${reason}).`, { cause: error });
    }
    return parseWebhookSecret(text, secretArn);
  };

  return {
    read: () => load(false),
    refresh() {
      // Concurrent failures share one re-read rather than being turned away by the throttle.
      if (refreshing) return refreshing;
      if (now() - lastRefreshAt < minRefreshIntervalMs) return Promise.resolve(undefined);
      lastRefreshAt = now();
      refreshing = load(true).finally(() => {
        refreshing = undefined;
      });
      return refreshing;
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
