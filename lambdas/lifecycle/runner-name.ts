// Runner names are deterministic per job and attempt: a duplicate event finds the name already claimed by
// another execution (mint-token/claim-runner-name.ts) and stops there. The same name finds the task (ECS
// startedBy), the JIT file and the claim.
import { createHash } from 'node:crypto';
import { ASSIGNMENT_OBJECT_PREFIX, CLAIM_OBJECT_PREFIX, JIT_OBJECT_PREFIX, type LaunchRequest } from '../../statemachine/contracts';

export const MAX_RUNNER_NAME_LENGTH = 64;
/** Characters allowed in a runner name: also valid in an ECS `startedBy` and in an S3 key. */
export const RUNNER_NAME_PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const SHORT_EXECUTION_LENGTH = 20;

export function runnerName(prefix: string, request: LaunchRequest, attempt: number, executionName: string): string {
  const name = request.jobId != null ? `${prefix}-${request.jobId}-${attempt}` : `${prefix}-m${shortExecutionName(executionName)}-${attempt}`;
  if (name.length > MAX_RUNNER_NAME_LENGTH || !/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new Error(`Runner name '${name}' is not a valid runner name (at most ${MAX_RUNNER_NAME_LENGTH} characters of letters, digits, '-' and '_'): shorten the runner name prefix.`);
  }
  return name;
}

/** The two shapes `runnerName` produces after the prefix: `<jobId>-<attempt>` and `m<short execution name>-<attempt>`. */
const RUNNER_NAME_SUFFIX = new RegExp(`^(?:[1-9][0-9]*|m[A-Za-z0-9_-]{1,${SHORT_EXECUTION_LENGTH}})-[1-9][0-9]*$`);

/**
 * Whether `name` is one that `runnerName` gives with this prefix: what the sweeper may touch. A fleet whose prefix
 * is this one plus `-m...` cannot be told apart; give fleets that share a scope prefixes that do not nest.
 */
export function isOurRunnerName(prefix: string, name: string): boolean {
  if (name.length > MAX_RUNNER_NAME_LENGTH || !name.startsWith(`${prefix}-`)) return false;
  return RUNNER_NAME_SUFFIX.test(name.slice(prefix.length + 1));
}

/** A manual launch has no job id: the execution name (unique per state machine) stands in for it. */
function shortExecutionName(executionName: string): string {
  const sanitized = executionName.replace(/[^A-Za-z0-9_-]/g, '-');
  if (sanitized.length <= SHORT_EXECUTION_LENGTH && sanitized === executionName) return sanitized;
  // Long or rewritten names keep a readable head and a hash of the whole name, so two names never collide.
  const hash = createHash('sha256').update(executionName).digest('hex').slice(0, 8);
  return `${sanitized.slice(0, SHORT_EXECUTION_LENGTH - 9)}-${hash}`;
}

/** The S3 key of a runner's JIT environment file. */
export function jitObjectKey(name: string): string {
  return `${JIT_OBJECT_PREFIX}${name}.env`;
}

/** The S3 key of a runner name's claim. */
export function claimObjectKey(name: string): string {
  return `${CLAIM_OBJECT_PREFIX}${name}`;
}

/** The S3 key of the record of which job a runner took. */
export function assignmentObjectKey(name: string): string {
  return `${ASSIGNMENT_OBJECT_PREFIX}${name}.json`;
}

/** The bucket name inside an S3 bucket ARN (`arn:aws:s3:::name`). */
export function bucketNameFromArn(bucketArn: string): string {
  const match = /^arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$/.exec(bucketArn);
  if (!match?.[1]) throw new Error(`'${bucketArn}' is not an S3 bucket ARN (arn:aws:s3:::bucket-name).`);
  return match[1];
}
