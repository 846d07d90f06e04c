// How S3's answers look through the SDK: `name` is S3's error code, `$metadata.httpStatusCode` its status. One place
// for the checks every S3-backed record of the fleet makes (claims, slots, assignments, interruption records).

export function awsErrorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** The SDK's `$metadata.httpStatusCode` of a service error. */
export function httpStatusOf(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object' || !('$metadata' in error)) return undefined;
  const metadata = error.$metadata;
  if (metadata === null || typeof metadata !== 'object' || !('httpStatusCode' in metadata)) return undefined;
  return typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

/** The object does not exist (GetObject: NoSuchKey; HeadObject and conditional deletes: NotFound / 404). */
export function isMissingObject(error: unknown): boolean {
  const name = awsErrorName(error);
  return name === 'NoSuchKey' || name === 'NotFound' || httpStatusOf(error) === 404;
}

/**
 * A conditional write or delete lost: 412 PreconditionFailed (the object exists, or changed), or 409
 * ConditionalRequestConflict (another conditional write of the key is in flight).
 */
export function isConditionalFailure(error: unknown): boolean {
  const name = awsErrorName(error);
  return name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || httpStatusOf(error) === 412 || httpStatusOf(error) === 409;
}
