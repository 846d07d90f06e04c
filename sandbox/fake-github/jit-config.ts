// The encoded JIT config, shaped like GitHub's: base64 JSON of the runner's three config files (`.runner`,
// `.credentials`, `.credentials_rsaparams`), each itself base64. Only this fake can read its credential back.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { isRecord, parseJson } from './json';

export interface RunnerCredential {
  clientId: string;
  key: string;
}

export interface DecodedJitConfig {
  runnerId: number;
  runnerName: string;
  credential: RunnerCredential;
}

export function createRunnerCredential(): RunnerCredential {
  return { clientId: randomUUID(), key: randomBytes(48).toString('base64') };
}

export function encodeJitConfig(input: {
  runnerId: number;
  runnerName: string;
  workFolder: string;
  serverUrl: string;
  credential: RunnerCredential;
}): string {
  const runnerFile = {
    agentId: input.runnerId,
    agentName: input.runnerName,
    poolId: 1,
    poolName: 'Default',
    serverUrl: input.serverUrl,
    gitHubUrl: input.serverUrl,
    workFolder: input.workFolder,
    ephemeral: true,
    disableUpdate: true,
  };
  const credentialsFile = {
    scheme: 'OAuth',
    data: { clientId: input.credential.clientId, authorizationUrl: `${input.serverUrl}/_apis/oauth2/token`, requireFipsCryptography: 'False' },
  };
  const rsaParamsFile = { modulus: input.credential.key, exponent: 'AQAB' };
  return toBase64Json({
    '.runner': toBase64Json(runnerFile),
    '.credentials': toBase64Json(credentialsFile),
    '.credentials_rsaparams': toBase64Json(rsaParamsFile),
  });
}

/** Null for anything that is not a config this fake issued in this shape. */
export function decodeJitConfig(encoded: string): DecodedJitConfig | null {
  const files = fromBase64Json(encoded);
  if (!isRecord(files)) return null;
  const runnerFile = fromBase64Json(files['.runner']);
  const credentialsFile = fromBase64Json(files['.credentials']);
  const rsaParamsFile = fromBase64Json(files['.credentials_rsaparams']);
  if (!isRecord(runnerFile) || !isRecord(credentialsFile) || !isRecord(rsaParamsFile)) return null;
  const data = credentialsFile['data'];
  const { agentId, agentName } = runnerFile;
  const key = rsaParamsFile['modulus'];
  if (!isRecord(data) || typeof agentId !== 'number' || typeof agentName !== 'string' || typeof key !== 'string') return null;
  const clientId = data['clientId'];
  if (typeof clientId !== 'string') return null;
  return { runnerId: agentId, runnerName: agentName, credential: { clientId, key } };
}

export function sameCredential(a: RunnerCredential, b: RunnerCredential): boolean {
  const left = Buffer.from(`${a.clientId}:${a.key}`);
  const right = Buffer.from(`${b.clientId}:${b.key}`);
  return left.length === right.length && timingSafeEqual(left, right);
}

function toBase64Json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64');
}

function fromBase64Json(value: unknown): unknown {
  return typeof value === 'string' ? parseJson(Buffer.from(value, 'base64').toString('utf8')) : undefined;
}
