// Secrets Manager reads, cached per Lambda container: a secret is fetched once, then served from memory.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface SecretReader {
  /** The secret's string value; fetched on first use, then from the cache until `maxAgeMs` has passed. */
  read(options?: { forceRefresh?: boolean }): Promise<string>;
  /** How many times Secrets Manager was called (a figure the benchmark reports). */
  readonly fetchCount: number;
}

export function createSecretReader(
  client: Pick<SecretsManagerClient, 'send'>,
  secretId: string,
  options: { maxAgeMs?: number; now?: () => number } = {},
): SecretReader {
  const maxAgeMs = options.maxAgeMs ?? Number.POSITIVE_INFINITY;
  const now = options.now ?? Date.now;
  let cached: { value: string; fetchedAt: number } | undefined;
  let inflight: Promise<string> | undefined;
  let fetchCount = 0;

  const fetchValue = async (): Promise<string> => {
    fetchCount += 1;
    const result = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (result.SecretString === undefined || result.SecretString === '') {
      // The name is safe to show; the value never is.
      throw new Error(`Secret ${secretId} has no string value yet. Put it with 'aws secretsmanager put-secret-value' (see README).`);
    }
    cached = { value: result.SecretString, fetchedAt: now() };
    return result.SecretString;
  };

  return {
    async read({ forceRefresh = false } = {}) {
      if (!forceRefresh && cached && now() - cached.fetchedAt < maxAgeMs) return cached.value;
      // Concurrent callers in one container share one fetch.
      inflight ??= fetchValue().finally(() => {
        inflight = undefined;
      });
      return inflight;
    },
    get fetchCount() {
      return fetchCount;
    },
  };
}
