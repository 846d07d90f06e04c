// S3 answers as the SDK delivers them: errors named by S3's code, with the HTTP status in `$metadata`.
import { S3ServiceException } from '@aws-sdk/client-s3';

/** Another lifecycle execution of the same job and attempt (the first delivery of a duplicated event). */
export const OTHER_EXECUTION_ARN = 'arn:aws:states:eu-west-1:111122223333:execution:RunnerLifecycle:0d9c8b7a-1e2f-4a3b-8c4d-5e6f7a8b9c0d';

export function s3Error(code: string, httpStatusCode: number): S3ServiceException {
  return new S3ServiceException({
    name: code,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode, requestId: 'R3QU3ST1D', attempts: 1, totalRetryDelay: 0 },
    message: `${code} (fixture)`,
  });
}

/** GetObject's answer for a claim object, for `callsFake`: the body holds the claiming execution's ARN. */
export function claimHeldBy(executionArn: string) {
  return { Body: { transformToString: () => Promise.resolve(executionArn) } };
}
