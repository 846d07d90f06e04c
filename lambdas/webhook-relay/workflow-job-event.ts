// The EventBridge event for a workflow_job delivery (contract: design.md, "The event").
import * as z from 'zod';
import { GITHUB_EVENT } from '../../statemachine/contracts';

/** EventBridge refuses an entry over 256 KiB (Source + DetailType + Detail, in UTF-8 bytes). */
export const MAX_EVENT_ENTRY_BYTES = 256 * 1024;

/** The fields the fleet's rule and input transformer read. Only a check: the event carries the payload untouched. */
export const workflowJobPayloadSchema = z.looseObject({
  action: z.string().min(1),
  workflow_job: z.looseObject({
    id: z.number().int().positive(),
    labels: z.array(z.string()),
  }),
  repository: z.looseObject({
    name: z.string().min(1),
    owner: z.looseObject({ login: z.string().min(1) }),
  }),
});

export interface EventEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
}

/** The payload exactly as GitHub sent it, plus the delivery id when there is one. */
export function toEventEntry(payload: Record<string, unknown>, deliveryId: string | undefined, eventBusName: string): EventEntry {
  const detail = deliveryId === undefined ? payload : { ...payload, [GITHUB_EVENT.deliveryIdField]: deliveryId };
  return {
    Source: GITHUB_EVENT.source,
    DetailType: GITHUB_EVENT.workflowJobDetailType,
    Detail: JSON.stringify(detail),
    EventBusName: eventBusName,
  };
}

export function eventEntrySizeBytes(entry: EventEntry): number {
  return Buffer.byteLength(entry.Source) + Buffer.byteLength(entry.DetailType) + Buffer.byteLength(entry.Detail);
}

/** `workflow_job.labels: expected array, received undefined`: the first problem, by its path in the payload. */
export function describePayloadError(error: z.ZodError): { field: string; problem: string } {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') || '(root)';
  return { field, problem: issue?.message ?? 'invalid' };
}
