// The state document both GitHub steps receive: a fresh launch request on the first attempt (perhaps with a
// Catch's `error` added), or the lifecycle state on later steps.
import * as z from 'zod';
import type { CaughtError, LifecycleState } from '../../statemachine/contracts';
import { parseLaunchRequest, toInvalidLaunchRequest } from './launch-request';

const capacity = z.enum(['spot', 'on-demand']);
const strategyItem = z.object({
  CapacityProvider: z.string().min(1),
  Weight: z.number().int().nonnegative().exactOptional(),
  Base: z.number().int().nonnegative().exactOptional(),
});

export const caughtErrorSchema = z.object({ Error: z.string(), Cause: z.string().exactOptional() });

const runnerLaunchSchema = z.object({
  name: z.string().min(1),
  id: z.number().int().positive(),
  runnerClass: z.string().min(1),
  taskDefinitionArn: z.string().min(1),
  capacity,
  capacityProviderStrategy: z.array(strategyItem),
  onDemandCapacityProviderStrategy: z.array(strategyItem),
  jitConfigArn: z.string().min(1),
  slot: z.string().min(1).exactOptional(),
  tags: z.array(z.object({ Key: z.string(), Value: z.string() })),
});

const attemptSummarySchema = z.object({
  attempt: z.number().int().positive(),
  runner: z.string(),
  runnerClass: z.string().nullable(),
  capacity: capacity.nullable(),
  capacityProvider: z.string().nullable(),
  taskArn: z.string().nullable(),
  outcome: z.enum(['served-job', 'served-other-job', 'idle', 'spot-interrupted', 'capacity-unavailable', 'runner-failed', 'launch-failed']),
  detail: z.string().nullable(),
  registrationDeleted: z.boolean(),
  timing: z.object({ jobQueuedAt: z.string().nullable(), runnerStartedAt: z.string().nullable(), jobStartedAt: z.string().nullable() }).exactOptional(),
});

const stateSchema = z.object({
  request: z.unknown(),
  attempt: z.number().int().positive(),
  interruptions: z.number().int().nonnegative(),
  onDemand: z.boolean(),
  attempts: z.array(attemptSummarySchema),
  runner: runnerLaunchSchema.exactOptional(),
  task: z.unknown().optional(),
  capacityFallback: caughtErrorSchema.exactOptional(),
  error: caughtErrorSchema.exactOptional(),
  next: z.enum(['done', 'relaunch', 'rerun', 'fail']).exactOptional(),
  rerun: z
    .object({
      owner: z.string().min(1),
      repo: z.string().min(1),
      jobId: z.number().int().positive(),
      runAttempt: z.number().int().positive().nullable(),
      installationId: z.number().int().positive().nullable(),
    })
    .exactOptional(),
});

/** Accepts a fresh launch request (with an optional caught `error`) or a lifecycle state; returns a lifecycle state. */
export function toLifecycleState(input: unknown): LifecycleState {
  if (input !== null && typeof input === 'object' && 'request' in input) {
    const parsed = stateSchema.safeParse(input);
    if (!parsed.success) throw toInvalidLaunchRequest(parsed.error);
    const { request, task, ...rest } = parsed.data;
    const state: LifecycleState = { ...rest, request: parseLaunchRequest(request) };
    if (task !== undefined) state.task = task;
    return state;
  }
  const request = parseLaunchRequest(input);
  const state: LifecycleState = { request, attempt: 1, interruptions: 0, onDemand: false, attempts: [] };
  const error = caughtErrorOf(input);
  if (error) state.error = error;
  return state;
}

function caughtErrorOf(input: unknown): CaughtError | undefined {
  if (input === null || typeof input !== 'object' || !('error' in input)) return undefined;
  const parsed = caughtErrorSchema.safeParse(input.error);
  return parsed.success ? parsed.data : undefined;
}
