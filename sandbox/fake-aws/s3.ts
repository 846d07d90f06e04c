// An in-memory S3 behind the same `send(command)` seam the Lambdas use: enough for JIT environment files and
// runner-name claims (create-only writes). Errors are shaped like the SDK's: `name` is S3's code, with `$metadata`.
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { JIT_OBJECT_PREFIX } from '../../statemachine/contracts';

export interface StoredObject {
  body: string;
  storedAtMs: number;
  serverSideEncryption: string | undefined;
}

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
      this.objects.set(`${Bucket}/${Key}`, { body: Body, storedAtMs: this.now(), serverSideEncryption: ServerSideEncryption });
      this.writtenBodies.push(Body);
      return {};
    }
    if (command instanceof DeleteObjectCommand) {
      this.count('DeleteObject');
      this.objects.delete(`${command.input.Bucket}/${command.input.Key}`);
      return {};
    }
    if (command instanceof GetObjectCommand) {
      this.count('GetObject');
      const object = this.objects.get(`${command.input.Bucket}/${command.input.Key}`);
      if (!object) throw serviceError('NoSuchKey', 'The specified key does not exist.', 404);
      return { Body: { transformToString: () => Promise.resolve(object.body) } };
    }
    if (command instanceof ListObjectsV2Command) {
      this.count('ListObjectsV2');
      const prefix = `${command.input.Bucket}/${command.input.Prefix ?? ''}`;
      const contents = [...this.objects.entries()]
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, object]) => ({ Key: key.slice(`${command.input.Bucket}/`.length), LastModified: new Date(object.storedAtMs) }));
      return { Contents: contents, KeyCount: contents.length, IsTruncated: false };
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
