// The duplicate-event guard. Before Mint token asks GitHub for a runner name it claims the name with a create-only
// S3 write (`If-None-Match: *`) that holds the execution ARN and its launch request: a Step Functions retry of the same execution finds
// its own claim and goes on; any other execution (a concurrent or late duplicate of the `queued` event, a webhook
// redelivery, an archive replay) stops here, before calling GitHub. Clean up never deletes a claim: it must
// outlive the lifecycle to stop late duplicates, and the JIT bucket's lifecycle rule expires `claims/` after a day.
// The launch request in the claim lets the job-started handler launch again for a job whose runner another job took.
import { setTimeout as delay } from 'node:timers/promises';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { LaunchRequest } from '../../statemachine/contracts';
import { parseLaunchRequest } from '../lifecycle/launch-request';
import { claimObjectKey } from '../lifecycle/runner-name';
import { RunnerNameTakenError } from '../shared/errors';
import { awsErrorName, httpStatusOf, isMissingObject } from '../shared/s3-errors';
import type { Logger } from '../shared/logger';

/** `new`: this call wrote the claim. `ours`: an earlier try of this execution did, and may have registered the runner. */
export type RunnerNameClaim = 'new' | 'ours';

export interface ClaimRequest {
  bucket: string;
  name: string;
  executionArn: string;
  request: LaunchRequest;
  runnerClass: string;
}

/** What a claim object holds. */
export interface Claim {
  executionArn: string;
  /** Absent in claims written before the request was recorded. */
  request?: LaunchRequest;
  runnerClass?: string;
}

const MAX_TRIES = 3;
const CONFLICT_BACKOFF_MS = 100;

/** Claims `name` for the execution, or throws RunnerNameTakenError when another execution holds it. */
export async function claimRunnerName(s3: Pick<S3Client, 'send'>, request: ClaimRequest, logger: Logger): Promise<RunnerNameClaim> {
  const { bucket, name, executionArn } = request;
  const key = claimObjectKey(name);
  const body = JSON.stringify({ executionArn, request: request.request, runnerClass: request.runnerClass } satisfies Claim);
  for (let tries = 1; ; tries += 1) {
    try {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json', IfNoneMatch: '*', ServerSideEncryption: 'AES256' }));
      return 'new';
    } catch (error) {
      const canRetry = tries < MAX_TRIES;
      // 409 ConditionalRequestConflict: another write of this key is in flight. S3's advice is to write again.
      if (httpStatusOf(error) === 409 && canRetry) {
        await delay(CONFLICT_BACKOFF_MS * tries);
        continue;
      }
      // 412 PreconditionFailed; the code alone too, as S3 has sent it with a 200 (aws/aws-sdk-java-v2#6023).
      if (awsErrorName(error) !== 'PreconditionFailed' && httpStatusOf(error) !== 412) throw error;
      const holder = (await readClaim(s3, bucket, key))?.executionArn;
      if (holder === executionArn) return 'ours';
      if (holder !== undefined) {
        logger.info('Runner name claimed by another execution', { runner: name, claimedBy: holder });
        throw new RunnerNameTakenError(name, { cause: error });
      }
      // The claim expired between the write and the read: claim the name again.
      if (!canRetry) throw error;
    }
  }
}

/** The execution that claimed `runnerName`, or undefined when nobody has (or the claim expired). */
export async function claimHolder(s3: Pick<S3Client, 'send'>, bucket: string, runnerName: string): Promise<string | undefined> {
  return (await readClaim(s3, bucket, claimObjectKey(runnerName)))?.executionArn;
}

/** The claim of `runnerName`: the execution that holds it and the launch request it was registered for. */
export async function readRunnerClaim(s3: Pick<S3Client, 'send'>, bucket: string, runnerName: string): Promise<Claim | undefined> {
  return readClaim(s3, bucket, claimObjectKey(runnerName));
}

/** The claim, or undefined when there is none any more. A plain-text body is an execution ARN alone. */
async function readClaim(s3: Pick<S3Client, 'send'>, bucket: string, key: string): Promise<Claim | undefined> {
  let text: string | undefined;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    text = (await object.Body?.transformToString())?.trim();
  } catch (error) {
    if (isMissingObject(error)) return undefined;
    throw error;
  }
  if (text === undefined) return undefined;
  if (!text.startsWith('{')) return { executionArn: text };
  const parsed = JSON.parse(text) as { executionArn?: unknown; request?: unknown; runnerClass?: unknown };
  if (typeof parsed.executionArn !== 'string') throw new Error(`The claim ${key} holds no execution ARN.`);
  const claim: Claim = { executionArn: parsed.executionArn };
  if (parsed.request !== undefined) claim.request = parseLaunchRequest(parsed.request);
  if (typeof parsed.runnerClass === 'string') claim.runnerClass = parsed.runnerClass;
  return claim;
}
