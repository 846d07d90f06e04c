// Step 3 of GitHub's manifest flow: trade the one-time code for the new App's id, private key and webhook
// secret (POST /app-manifests/{code}/conversions, unauthenticated: the code is the credential).
import * as z from 'zod';

/** GitHub refused the code or could not be reached. The message says why and what to do; it holds no secret. */
export class ManifestConversionError extends Error {
  override readonly name = 'ManifestConversionError';
}

export interface ConvertedApp {
  id: number;
  slug: string;
  name: string;
  htmlUrl: string;
  owner: string | undefined;
  /** 'Organization' or 'User'. */
  ownerType: string | undefined;
  permissions: Record<string, string>;
  events: string[];
  /** Secret: goes to a file, never to the terminal. */
  pem: string;
  /** Secret: goes to a file, never to the terminal. Null when GitHub generated none. */
  webhookSecret: string | null;
}

const conversionSchema = z.object({
  id: z.number().int().positive(),
  slug: z.string().min(1),
  name: z.string(),
  html_url: z.string(),
  owner: z.object({ login: z.string(), type: z.string().optional() }).nullish(),
  permissions: z.record(z.string(), z.string()).optional(),
  events: z.array(z.string()).optional(),
  pem: z.string().includes('PRIVATE KEY'),
  webhook_secret: z.string().nullish(),
});

const errorSchema = z.object({ message: z.string().optional() });

export interface ConvertOptions {
  apiUrl: string;
  code: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export async function convertManifestCode(options: ConvertOptions): Promise<ConvertedApp> {
  const { apiUrl, code, fetch: fetchFn = fetch, timeoutMs = 30_000 } = options;
  const url = `${apiUrl}/app-manifests/${encodeURIComponent(code)}/conversions`;
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: 'POST',
      headers: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'ecs-github-runners-create-app' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    throw new ManifestConversionError(`Could not reach ${apiUrl} (${reason}). Check --api-url (GitHub Enterprise Server: https://HOST/api/v3) and your network, then run the same command again within the hour.`, { cause: error });
  }
  const text = await response.text();
  if (response.status !== 201) throw new ManifestConversionError(describeRefusal(response.status, text));

  // The body holds the private key: a malformed answer is reported by its shape, never echoed.
  const parsed = conversionSchema.safeParse(parseJson(text));
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(body)'))].join(', ');
    throw new ManifestConversionError(`GitHub answered 201 but not with a GitHub App (unexpected ${fields}). The code is now used up: open the App in GitHub's settings, generate a private key there and store it by hand (README, "Deploy to AWS", step 4).`);
  }
  const app = parsed.data;
  return {
    id: app.id,
    slug: app.slug,
    name: app.name,
    htmlUrl: app.html_url,
    owner: app.owner?.login,
    ownerType: app.owner?.type,
    permissions: app.permissions ?? {},
    events: app.events ?? [],
    pem: app.pem,
    webhookSecret: app.webhook_secret ?? null,
  };
}

function describeRefusal(status: number, body: string): string {
  const parsed = errorSchema.safeParse(parseJson(body));
  const message = parsed.success && parsed.data.message ? `: "${parsed.data.message}"` : '';
  const rateLimited = status === 429 || (status === 403 && /rate limit/i.test(message));
  if (rateLimited) {
    return `GitHub rate-limited this request (${status}${message}). Wait a minute and run the same command again; the code stays valid for an hour after the App was created.`;
  }
  switch (status) {
    case 404:
      return `GitHub does not know this code (404${message}). A code works once, within an hour of creating the App. If the App was created, finish by hand: generate a private key in the App's settings and store it in the private key secret, and set the App's webhook secret to the stack's (README, "Deploy to AWS", step 4). Otherwise create the App again (step 1).`;
    case 422:
      return `GitHub refused the code (422${message}). Create the App again (step 1) and use the new code within the hour.`;
    default:
      return `GitHub answered ${status}${message}. Check --api-url and run the same command again within the hour; if GitHub keeps refusing, finish by hand (README, "Deploy to AWS", step 4).`;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
