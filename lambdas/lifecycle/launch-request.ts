// The lifecycle's input, validated at every step: an EventBridge input transformer or a person at the console wrote it.
import * as z from 'zod';
import type { LaunchRequest } from '../../statemachine/contracts';
import { InvalidLaunchRequestError } from '../shared/errors';

// GitHub account names: letters, digits and single hyphens, no leading hyphen, at most 39 characters
// (underscores appear in Enterprise Managed User names).
const OWNER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

const EXPECTED: Record<string, string> = {
  owner: 'must be a GitHub user or organization name (letters, digits, "-" or "_", at most 39 characters), e.g. "octo-org"',
  repo: 'must be a repository name without the owner (letters, digits, ".", "-" or "_", at most 100 characters), e.g. "hello-world"',
  labels: 'must be a non-empty array of non-empty strings, e.g. ["self-hosted", "linux", "fargate"]',
  jobId: 'must be a positive integer (the workflow job id), or null or absent for a manual launch',
  runId: 'must be a positive integer (the workflow run id), or null or absent',
  runAttempt: 'must be a positive integer (the workflow run attempt), or null or absent',
  installationId: 'must be a positive integer (the GitHub App installation id), or null or absent to look it up',
  jobUrl: 'must be a string (the job URL), or null or absent',
};

// EventBridge input transformers write null for a missing path; a person may type an id as a string.
const optionalId = z
  .union([z.number().int().positive(), z.string().regex(/^[1-9]\d{0,15}$/).transform(Number), z.null()])
  .exactOptional();

export const launchRequestSchema = z.object({
  owner: z.string().regex(OWNER),
  repo: z.string().regex(REPO).refine((name) => name !== '.' && name !== '..'),
  labels: z.array(z.string().trim().min(1)).min(1),
  jobId: optionalId,
  runId: optionalId,
  runAttempt: optionalId,
  installationId: optionalId,
  jobUrl: z.string().nullable().exactOptional(),
});

/** Validates a launch request and drops unknown fields (a Catch may have added `error`). */
export function parseLaunchRequest(input: unknown): LaunchRequest {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidLaunchRequestError('(input)', 'must be a JSON object with at least "owner", "repo" and "labels".');
  }
  const parsed = launchRequestSchema.safeParse(input);
  if (!parsed.success) throw toInvalidLaunchRequest(parsed.error);
  return withoutNulls(parsed.data);
}

/** The first bad field of a zod error, as the named error the state machine routes on. */
export function toInvalidLaunchRequest(error: z.ZodError, pathPrefix = ''): InvalidLaunchRequestError {
  const issue = error.issues[0];
  const path = issue?.path ?? [];
  const field = path.map(String).join('.') || '(input)';
  const key = String(path[path.length - 1] ?? '');
  const lastNamed = [...path].reverse().find((part) => typeof part === 'string' && part in EXPECTED);
  const expectation = EXPECTED[key] ?? (lastNamed !== undefined ? EXPECTED[String(lastNamed)] : undefined) ?? `is invalid: ${issue?.message ?? 'unknown problem'}`;
  return new InvalidLaunchRequestError(`${pathPrefix}${field}`, `${expectation}. Fix the input (or the EventBridge rule's input transformer) and start the execution again.`, { cause: error });
}

function withoutNulls(request: z.infer<typeof launchRequestSchema>): LaunchRequest {
  const out: LaunchRequest = { owner: request.owner, repo: request.repo, labels: request.labels };
  if (request.jobId != null) out.jobId = request.jobId;
  if (request.runId != null) out.runId = request.runId;
  if (request.runAttempt != null) out.runAttempt = request.runAttempt;
  if (request.installationId != null) out.installationId = request.installationId;
  if (request.jobUrl != null) out.jobUrl = request.jobUrl;
  return out;
}

/** The triggering job's id, when there is one (a manual launch has none). */
export function jobIdOf(request: LaunchRequest): number | undefined {
  return request.jobId ?? undefined;
}
