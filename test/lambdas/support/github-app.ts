// A GitHub App identity for tests: a key pair generated at test time (never a committed key), a client on nock,
// and a JWT decoder that verifies what reached the fake API the way GitHub would.
import { createVerify, generateKeyPairSync } from 'node:crypto';
import nock from 'nock';
import { createGitHubClient, type GitHubClient } from '../../../lambdas/github/client';
import { createLogger, type Logger } from '../../../lambdas/shared/logger';
import { API_URL, APP_ID, INSTALLATION_ID, installationTokenResponse } from './github-fixtures';

let keyPair: { privateKey: string; publicKey: string } | undefined;

/** An RSA key pair in the format GitHub issues App keys (PKCS#1 PEM), generated once per test file. */
export function testKeyPair(): { privateKey: string; publicKey: string } {
  keyPair ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return keyPair;
}

export interface LogCapture {
  logger: Logger;
  lines: string[];
  text(): string;
}

export function captureLogs(): LogCapture {
  const lines: string[] = [];
  return { logger: createLogger({}, (line) => lines.push(line)), lines, text: () => lines.join('\n') };
}

export function aGitHubClient(
  options: {
    logger?: Logger;
    now?: () => number;
    timeoutMs?: number;
    privateKey?: () => Promise<string>;
    /** @default 0: a rate limit is thrown at once, unless a test is about waiting for it */
    rateLimitWaitBudgetMs?: number;
    sleep?: (ms: number) => Promise<void>;
    random?: () => number;
  } = {},
): GitHubClient {
  return createGitHubClient({
    appId: APP_ID,
    privateKey: options.privateKey ?? (() => Promise.resolve(testKeyPair().privateKey)),
    baseUrl: API_URL,
    logger: options.logger ?? createLogger({}, () => undefined),
    ...(options.now ? { now: options.now } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    rateLimitWaitBudgetMs: options.rateLimitWaitBudgetMs ?? 0,
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
}

/** The installation-token exchange GitHub answers once per installation and hour. */
export function expectTokenExchange(installationId = INSTALLATION_ID): nock.Scope {
  return nock(API_URL).post(`/app/installations/${installationId}/access_tokens`).reply(201, installationTokenResponse());
}

export interface DecodedJwt {
  header: { alg: string; typ: string };
  payload: { iat: number; exp: number; iss: number | string };
  verified: boolean;
}

export function decodeBearerJwt(authorization: string | undefined, publicKey: string): DecodedJwt {
  const token = (authorization ?? '').replace(/^bearer /i, '');
  const [header = '', payload = '', signature = ''] = token.split('.');
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${header}.${payload}`);
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as DecodedJwt['header'],
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as DecodedJwt['payload'],
    verified: verifier.verify(publicKey, Buffer.from(signature, 'base64url')),
  };
}
