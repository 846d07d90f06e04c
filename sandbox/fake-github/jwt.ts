// Verification of the App JWT as GitHub does it: RS256 over `header.payload`, `iss` the App id, and `iat`/`exp`
// checked against the server clock (GitHub allows at most 10 minutes of life and a little clock drift).
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { MESSAGE } from './errors';
import { isRecord, parseJson } from './json';

const MAX_LIFETIME_SECONDS = 10 * 60;
/** Drift tolerated between the client's clock and ours (octokit already backdates `iat` by 30 s). */
export const CLOCK_SKEW_SECONDS = 30;

export type JwtVerdict = { ok: true } | { ok: false; message: string };

export interface JwtVerifier {
  verify(token: string, nowMs: number): JwtVerdict;
}

export function createJwtVerifier(appId: number | string, publicKey: KeyObject | string): JwtVerifier {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  return { verify: (token, nowMs) => verifyAppJwt(token, { appId, key, nowMs }) };
}

function verifyAppJwt(token: string, { appId, key, nowMs }: { appId: number | string; key: KeyObject; nowMs: number }): JwtVerdict {
  const undecodable = { ok: false, message: MESSAGE.jwtUndecodable } as const;
  const parts = token.split('.');
  const [encodedHeader, encodedPayload, encodedSignature] = parts;
  if (parts.length !== 3 || !encodedHeader || !encodedPayload || !encodedSignature) return undecodable;

  const header = decodeJson(encodedHeader);
  const payload = decodeJson(encodedPayload);
  if (!isRecord(header) || !isRecord(payload) || header['alg'] !== 'RS256') return undecodable;

  const signatureValid = verify(
    'RSA-SHA256',
    Buffer.from(`${encodedHeader}.${encodedPayload}`),
    key,
    Buffer.from(encodedSignature, 'base64url'),
  );
  if (!signatureValid) return undecodable;

  const { iss, iat, exp } = payload;
  if ((typeof iss !== 'number' && typeof iss !== 'string') || String(iss) !== String(appId)) {
    return { ok: false, message: MESSAGE.jwtIssuer };
  }
  const nowSeconds = Math.floor(nowMs / 1000);
  if (!Number.isInteger(iat) || typeof iat !== 'number' || iat > nowSeconds + CLOCK_SKEW_SECONDS) {
    return { ok: false, message: MESSAGE.jwtIssuedInFuture };
  }
  if (typeof exp !== 'number' || !Number.isFinite(exp) || exp <= nowSeconds) {
    return { ok: false, message: MESSAGE.jwtExpired };
  }
  if (exp > iat + MAX_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS || exp > nowSeconds + MAX_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
    return { ok: false, message: MESSAGE.jwtTooFarInFuture };
  }
  return { ok: true };
}

function decodeJson(segment: string): unknown {
  return parseJson(Buffer.from(segment, 'base64url').toString('utf8'));
}
