// Re-running a job whose runner was Spot-interrupted mid-job needs two facts that arrive separately: that the runner
// was interrupted (Clean up learns it when the task stops) and which job it was running (the job-started handler
// learns it from the `in_progress` event, which a relay outage can delay until its redelivery). Each side records
// its fact in the JIT bucket and looks for the other's; whichever comes second re-runs the job. A create-only
// re-run claim per job makes sure it is re-run once, whoever gets there.
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { INTERRUPTION_OBJECT_PREFIX, RERUN_OBJECT_PREFIX, type JobAssignment, type RerunTarget } from '../../statemachine/contracts';
import { isConditionalFailure, isMissingObject } from '../shared/s3-errors';
import { assignmentObjectKey } from './runner-name';

type S3 = Pick<S3Client, 'send'>;

export async function readAssignment(s3: S3, bucket: string, runner: string): Promise<JobAssignment | undefined> {
  const text = await readText(s3, bucket, assignmentObjectKey(runner));
  return text === undefined ? undefined : (JSON.parse(text) as JobAssignment);
}

export function rerunTargetOf(assignment: JobAssignment, fallbackInstallationId: number | null): RerunTarget {
  const { owner, repo, jobId, runAttempt } = assignment;
  return { owner, repo, jobId, runAttempt, installationId: assignment.installationId ?? fallbackInstallationId };
}

/** Clean up: this runner was interrupted, and which job it ran is not known yet. */
export async function recordInterruption(s3: S3, bucket: string, runner: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${INTERRUPTION_OBJECT_PREFIX}${runner}`, Body: runner, ContentType: 'text/plain', ServerSideEncryption: 'AES256' }));
}

export async function wasInterrupted(s3: S3, bucket: string, runner: string): Promise<boolean> {
  return (await readText(s3, bucket, `${INTERRUPTION_OBJECT_PREFIX}${runner}`)) !== undefined;
}

/**
 * Claims the re-run of a job for `by` (an execution ARN, or the handler and runner). 'ours' when this claimant
 * holds it (also on its own retry); 'taken' when another one re-runs the job.
 */
export async function claimRerun(s3: S3, bucket: string, jobId: number, by: string): Promise<'ours' | 'taken'> {
  const key = `${RERUN_OBJECT_PREFIX}${jobId}`;
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: by, ContentType: 'text/plain', IfNoneMatch: '*', ServerSideEncryption: 'AES256' }));
    return 'ours';
  } catch (error) {
    if (!isConditionalFailure(error)) throw error;
    return (await readText(s3, bucket, key)) === by ? 'ours' : 'taken';
  }
}

async function readText(s3: S3, bucket: string, key: string): Promise<string | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await object.Body?.transformToString()) ?? undefined;
  } catch (error) {
    if (isMissingObject(error)) return undefined;
    throw error;
  }
}
