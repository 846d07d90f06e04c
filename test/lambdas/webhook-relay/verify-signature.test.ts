import { isWellFormedSignature, verifySignature } from '../../../lambdas/webhook-relay/verify-signature';
import { sign } from './builders';

// GitHub's documented test vector ("Validating webhook deliveries").
const GITHUB_SECRET = "It's a Secret to Everybody";
const GITHUB_PAYLOAD = 'Hello, World!';
const GITHUB_SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

describe('verifySignature', () => {
  it("accepts GitHub's documented test vector", async () => {
    // GIVEN GitHub's secret, payload and signature
    // WHEN the signature is verified
    const valid = await verifySignature(GITHUB_PAYLOAD, GITHUB_SIGNATURE, [GITHUB_SECRET]);
    // THEN it matches
    expect(valid).toBe(true);
  });

  it('accepts a body signed with the previous secret while rotating', async () => {
    const body = '{"action":"queued"}';
    const valid = await verifySignature(body, sign(body, 'old secret'), ['new secret', 'old secret']);
    expect(valid).toBe(true);
  });

  it('accepts a body with characters outside ASCII, signed over its UTF-8 bytes', async () => {
    const body = '{"name":"Zürich — 東京 ✓"}';
    await expect(verifySignature(body, sign(body, GITHUB_SECRET), [GITHUB_SECRET])).resolves.toBe(true);
  });

  it.each([
    ['a forged signature (another secret)', sign(GITHUB_PAYLOAD, 'not the secret')],
    ['a signature of another body', sign('Hello, World?', GITHUB_SECRET)],
    ['a missing header', undefined],
    ['an empty header', ''],
    ['a truncated signature', GITHUB_SIGNATURE.slice(0, -1)],
    ['a signature with an extra digit', `${GITHUB_SIGNATURE}0`],
    ['the wrong algorithm (sha1=)', GITHUB_SIGNATURE.replace('sha256=', 'sha1=')],
    ['no algorithm prefix', GITHUB_SIGNATURE.slice('sha256='.length)],
    ['non-hex digits', `sha256=${'z'.repeat(64)}`],
    ['upper-case hex (GitHub sends lower case)', `sha256=${GITHUB_SIGNATURE.slice(7).toUpperCase()}`],
    ['surrounding whitespace', ` ${GITHUB_SIGNATURE} `],
  ])('rejects %s', async (_case, header) => {
    await expect(verifySignature(GITHUB_PAYLOAD, header, [GITHUB_SECRET])).resolves.toBe(false);
  });

  it('rejects every signature when there is no secret to check against', async () => {
    await expect(verifySignature(GITHUB_PAYLOAD, GITHUB_SIGNATURE, [])).resolves.toBe(false);
    await expect(verifySignature(GITHUB_PAYLOAD, GITHUB_SIGNATURE, [''])).resolves.toBe(false);
  });

  it('rejects an empty body instead of throwing', async () => {
    await expect(verifySignature('', sign('x', GITHUB_SECRET), [GITHUB_SECRET])).resolves.toBe(false);
  });
});

describe('isWellFormedSignature', () => {
  it('tells the shape of a GitHub signature without any secret', () => {
    expect(isWellFormedSignature(GITHUB_SIGNATURE)).toBe(true);
    expect(isWellFormedSignature(`sha1=${'a'.repeat(40)}`)).toBe(false);
    expect(isWellFormedSignature(undefined)).toBe(false);
  });
});
