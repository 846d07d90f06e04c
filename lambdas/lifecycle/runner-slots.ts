// A runner class's cap (maxRunners) as a set of slots in the JIT bucket: `slots/<class>/<index>`, each taken with a
// create-only write (`If-None-Match: *`), so two launches can never hold the same slot and the class never runs
// more than maxRunners runners. Clean up releases the slot; the sweeper frees slots of executions that died.
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SLOT_OBJECT_PREFIX, type SlotHolder } from '../../statemachine/contracts';
import { isConditionalFailure, isMissingObject } from '../shared/s3-errors';

type S3 = Pick<S3Client, 'send'>;

/** Free slots tried after one listing before giving up for this try (others may be racing for the same ones). */
const MAX_SLOT_TRIES = 8;

export function slotPrefix(runnerClass: string): string {
  return `${SLOT_OBJECT_PREFIX}${runnerClass}/`;
}

/** Takes a free slot of the class and returns its key, or undefined when all maxRunners slots are taken. */
export async function takeSlot(s3: S3, bucket: string, runnerClass: string, maxRunners: number, holder: SlotHolder, random: () => number = Math.random): Promise<string | undefined> {
  const prefix = slotPrefix(runnerClass);
  const taken = await listTaken(s3, bucket, prefix);
  const free = Array.from({ length: maxRunners }, (_, index) => index).filter((index) => !taken.has(index));
  // Random order: concurrent launches that listed the same free slots mostly try different ones.
  for (let i = free.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [free[i], free[j]] = [free[j] as number, free[i] as number];
  }
  for (const index of free.slice(0, MAX_SLOT_TRIES)) {
    const key = `${prefix}${index}`;
    try {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(holder), ContentType: 'application/json', IfNoneMatch: '*', ServerSideEncryption: 'AES256' }));
      return key;
    } catch (error) {
      // 412: another launch took it since the listing; 409: a write of it is in flight. Either way, try another.
      if (!isConditionalFailure(error)) throw error;
    }
  }
  return undefined;
}

/**
 * Frees the slot if `runner` still holds it. The sweeper may have freed it (its holder looked gone) and another
 * launch taken it since: only a delete conditional on the very object read, and only if it is ours, is safe.
 */
export async function releaseSlot(s3: S3, bucket: string, key: string, runner: string): Promise<'released' | 'not-ours'> {
  let etag: string | undefined;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const holder = JSON.parse((await object.Body?.transformToString()) ?? '{}') as Partial<SlotHolder>;
    if (holder.runner !== runner) return 'not-ours';
    etag = object.ETag;
  } catch (error) {
    if (isMissingObject(error)) return 'not-ours';
    throw error;
  }
  try {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, ...(etag ? { IfMatch: etag } : {}) }));
    return 'released';
  } catch (error) {
    // Gone, or replaced by another holder between the read and the delete.
    if (isMissingObject(error) || isConditionalFailure(error)) return 'not-ours';
    throw error;
  }
}


async function listTaken(s3: S3, bucket: string, prefix: string): Promise<Set<number>> {
  const taken = new Set<number>();
  let token: string | undefined;
  do {
    const page = (await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }))) as {
      Contents?: { Key?: string }[];
      NextContinuationToken?: string;
    };
    for (const object of page.Contents ?? []) {
      const index = Number((object.Key ?? '').slice(prefix.length));
      if (Number.isInteger(index)) taken.add(index);
    }
    token = page.NextContinuationToken;
  } while (token);
  return taken;
}
