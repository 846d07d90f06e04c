// An in-memory S3 behind the same `send(command)` seam the Lambdas use: enough for JIT environment files, runner-name
// claims and slots (create-only writes, conditional deletes), listed in key order by pages. Errors are shaped like
// the SDK's: `name` is S3's code, with `$metadata`.
import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { JIT_OBJECT_PREFIX } from '../../statemachine/contracts';

export interface StoredObject {
  body: string;
  storedAtMs: number;
  serverSideEncryption: string | undefined;
  /** Quoted MD5 of the body, as S3 gives it for a single-part upload. */
  etag: string;
}

const MAX_KEYS = 1000;

export class FakeS3 {
  private readonly objects = new Map<string, StoredObject>();
  /** Every body ever written, so tests can look for leaked secrets after the objects are gone. */
  readonly writtenBodies: string[] = [];
  readonly calls: Record<string, number> = {};
  /** The next this-many PutObject calls under `failPutsUnder` fail (an S3 outage seen by Mint token). */
  failNextPuts = 0;
  /** Key prefix the injected put failures apply to: by default the JIT files, written after the registration. */
  failPutsUnder: string = JIT_OBJECT_PREFIX;

  constructor(private readonly now: () => number = Date.now) {}

  send = async (command: unknown): Promise<unknown> => {
    await Promise.resolve();
    if (command instanceof PutObjectCommand) {
      this.count('PutObject');
      const { Bucket, Key, Body, ServerSideEncryption, IfNoneMatch } = command.input;
      if (this.failNextPuts > 0 && (Key ?? '').startsWith(this.failPutsUnder)) {
        this.failNextPuts -= 1;
        throw serviceError('InternalError', 'We encountered an internal error. Please try again.', 500);
      }
      if (typeof Body !== 'string') throw new Error('FakeS3 stores string bodies only');
      if (IfNoneMatch !== undefined && IfNoneMatch !== '*') throw new Error(`FakeS3 supports IfNoneMatch '*' only, not '${IfNoneMatch}'`);
      // Check and write with no await in between: two concurrent create-only writes cannot both succeed.
      if (IfNoneMatch === '*' && this.objects.has(`${Bucket}/${Key}`)) {
        throw serviceError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
      }
      const etag = `"${createHash('md5').update(Body).digest('hex')}"`;
      this.objects.set(`${Bucket}/${Key}`, { body: Body, storedAtMs: this.now(), serverSideEncryption: ServerSideEncryption, etag });
      this.writtenBodies.push(Body);
      return {};
    }
    if (command instanceof DeleteObjectCommand) {
      this.count('DeleteObject');
      const key = `${command.input.Bucket}/${command.input.Key}`;
      const { IfMatch } = command.input;
      // A conditional delete (If-Match: an ETag, or '*' for "exists"): 404 when the object is gone, 412 when it changed.
      if (IfMatch !== undefined) {
        const object = this.objects.get(key);
        if (!object) throw serviceError('NoSuchKey', 'The specified key does not exist.', 404);
        if (IfMatch !== '*' && IfMatch !== object.etag) throw serviceError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
      }
      this.objects.delete(key);
      return {};
    }
    if (command instanceof GetObjectCommand) {
      this.count('GetObject');
      const object = this.objects.get(`${command.input.Bucket}/${command.input.Key}`);
      if (!object) throw serviceError('NoSuchKey', 'The specified key does not exist.', 404);
      return { Body: { transformToString: () => Promise.resolve(object.body) }, ETag: object.etag, LastModified: new Date(object.storedAtMs) };
    }
    if (command instanceof HeadObjectCommand) {
      this.count('HeadObject');
      const object = this.objects.get(`${command.input.Bucket}/${command.input.Key}`);
      // HEAD answers have no body, so the SDK names a missing object after the status.
      if (!object) throw serviceError('NotFound', 'Not Found', 404);
      return { ETag: object.etag, LastModified: new Date(object.storedAtMs), ContentLength: Buffer.byteLength(object.body) };
    }
    if (command instanceof ListObjectsV2Command) {
      this.count('ListObjectsV2');
      const { Bucket, Prefix, ContinuationToken, MaxKeys } = command.input;
      const bucketPrefix = `${Bucket}/`;
      const pageSize = Math.min(MaxKeys ?? MAX_KEYS, MAX_KEYS);
      // S3 lists in UTF-8 binary key order; the token here is simply the last key of the previous page.
      const matching = [...this.objects.entries()]
        .filter(([key]) => key.startsWith(`${bucketPrefix}${Prefix ?? ''}`))
        .map(([key, object]) => ({ key: key.slice(bucketPrefix.length), object }))
        .filter(({ key }) => ContinuationToken === undefined || key > ContinuationToken)
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const page = matching.slice(0, pageSize);
      const contents = page.map(({ key, object }) => ({ Key: key, LastModified: new Date(object.storedAtMs), ETag: object.etag, Size: Buffer.byteLength(object.body) }));
      const last = page[page.length - 1];
      const isTruncated = matching.length > page.length;
      return { Contents: contents, KeyCount: contents.length, IsTruncated: isTruncated, ...(isTruncated && last ? { NextContinuationToken: last.key } : {}) };
    }
    throw new Error(`FakeS3 does not implement ${(command as object).constructor.name}`);
  };

  /** The object an ECS execution role would load for an environment file ARN (arn:aws:s3:::bucket/key). */
  readByArn(arn: string): StoredObject | undefined {
    return this.objects.get(arn.replace(/^arn:aws[a-z-]*:s3:::/, ''));
  }

  /** Keys of the objects still stored, as `bucket/key`. */
  keys(): string[] {
    return [...this.objects.keys()];
  }

  private count(operation: string): void {
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
  }
}

/** An error as the SDK throws it for an S3 error answer: `name` is S3's error code. */
function serviceError(code: string, message: string, httpStatusCode: number): Error {
  return Object.assign(new Error(message), { name: code, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode } });
}
