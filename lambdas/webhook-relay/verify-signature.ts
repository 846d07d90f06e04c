// GitHub's X-Hub-Signature-256 check: pure and silent (it never logs), over the raw body as GitHub sent it.

// The package ships ESM only (its exports have no `require` condition): import() loads it under jest, tsx (the
// local sandbox) and the esbuild bundle alike, where a static import compiled to require() would not.
let webhooksMethods: Promise<typeof import('@octokit/webhooks-methods')> | undefined;
const loadVerify = async () => (await (webhooksMethods ??= import('@octokit/webhooks-methods'))).verify;

/** The only form GitHub sends: `sha256=` and 64 lower-case hex digits. */
const SIGNATURE_FORMAT = /^sha256=[0-9a-f]{64}$/;

/** Whether a header could be a GitHub signature at all; no secret is needed to tell. */
export function isWellFormedSignature(signatureHeader: string | undefined): signatureHeader is string {
  return signatureHeader !== undefined && SIGNATURE_FORMAT.test(signatureHeader);
}

/**
 * True when `signatureHeader` is the HMAC-SHA256 of `rawBody` under one of `secrets` (current first, then the
 * previous one while rotating). The HMAC covers the UTF-8 bytes of `rawBody`: decode base64 before calling.
 */
export async function verifySignature(
  rawBody: string,
  signatureHeader: string | undefined,
  secrets: readonly string[],
): Promise<boolean> {
  // verify() throws on an empty body or secret; GitHub never signs an empty body.
  if (rawBody === '' || !isWellFormedSignature(signatureHeader)) return false;
  const verify = await loadVerify();
  for (const secret of secrets) {
    // verify() compares with crypto.timingSafeEqual, so the time taken does not reveal the expected signature.
    if (secret !== '' && (await verify(secret, rawBody, signatureHeader))) return true;
  }
  return false;
}
