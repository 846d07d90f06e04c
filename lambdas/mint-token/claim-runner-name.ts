// The duplicate-event guard. Before Mint token asks GitHub for a runner name it claims the name with a create-only
// S3 write (`If-None-Match: *`) that holds the execution ARN: a Step Functions retry of the same execution finds
// its own claim and goes on; any other execution (a concurrent or late duplicate of the `queued` event, a webhook
// redelivery, an archive replay) stops here, before calling GitHub. Clean up never deletes a claim: it must
// outlive the lifecycle to stop late duplicates, and the JIT bucket's lifecycle rule expires `claims/` after a day.
import { setTimeout as delay } from 'node:timers/promises';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { claimObjectKey } from '../lifecycle/runner-name';
import { RunnerNameTakenError } from '../shared/errors';
import type { Logger } from '../shared/logger';

/** `new`: this call wrote the claim. `ours`: an earlier try of this execution did, and may have registered the runner. */
export type RunnerNameClaim = 'new' | 'ours';

export interface ClaimRequest {
  bucket: string;
  name: string;
  executionArn: string;
}

const MAX_TRIES = 3;
const CONFLICT_BACKOFF_MS = 100;

/** Claims `name` for the execution, or throws RunnerNameTakenError when another execution holds it. */
export async function claimRunnerName(s3: Pick<S3Client, 'send'>, request: ClaimRequest, logger: Logger): Promise<RunnerNameClaim> {
  const { bucket, name, executionArn } = request;
  const key = claimObjectKey(name);
  for (let tries = 1; ; tries += 1) {
    try {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: executionArn, ContentType: 'text/plain', IfNoneMatch: '*', ServerSideEncryption: 'AES256' }));
      return 'new';
    } catch (error) {
      const canRetry = tries < MAX_TRIES;
      // 409 ConditionalRequestConflict: another write of this key is in flight. S3's advice is to write again.
      if (httpStatusOf(error) === 409 && canRetry) {
        await delay(CONFLICT_BACKOFF_MS * tries);
        continue;
      }
      if (!isPreconditionFailed(error)) throw error;
      const holder = await readClaim(s3, bucket, key);
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
  return readClaim(s3, bucket, claimObjectKey(runnerName));
}

/** The execution ARN in the claim, or undefined when there is no claim any more. */
async function readClaim(s3: Pick<S3Client, 'send'>, bucket: string, key: string): Promise<string | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await object.Body?.transformToString())?.trim();
  } catch (error) {
    if (nameOf(error) === 'NoSuchKey' || httpStatusOf(error) === 404) return undefined;
    throw error;
  }
}

/** 412 PreconditionFailed; the code alone too, as S3 has sent it with a 200 (aws/aws-sdk-java-v2#6023). */
function isPreconditionFailed(error: unknown): boolean {
  return nameOf(error) === 'PreconditionFailed' || httpStatusOf(error) === 412;
}

function nameOf(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** The SDK's `$metadata.httpStatusCode` of a service error. */
function httpStatusOf(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object' || !('$metadata' in error)) return undefined;
  const metadata = error.$metadata;
  if (metadata === null || typeof metadata !== 'object' || !('httpStatusCode' in metadata)) return undefined;
  return typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}
