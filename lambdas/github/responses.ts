// The parts of GitHub's REST responses the lifecycle reads, validated (docs.github.com/rest/actions).
import * as z from 'zod';

export const installationSchema = z.object({ id: z.number().int().positive() });

/** GET /repos/{owner}/{repo}/actions/jobs/{job_id}: the fields Mint token and Clean up decide on. */
export const jobSchema = z.object({
  id: z.number().int(),
  run_id: z.number().int(),
  run_attempt: z.number().int().optional(),
  status: z.string(),
  conclusion: z.string().nullable(),
  runner_id: z.number().int().nullable().optional(),
  runner_name: z.string().nullable().optional(),
  labels: z.array(z.string()),
  html_url: z.string().nullable().optional(),
  created_at: z.string().nullable().optional(),
  started_at: z.string().nullable().optional(),
});
export type GitHubJob = z.infer<typeof jobSchema>;

/** POST .../actions/runners/generate-jitconfig, 201. */
export const jitConfigSchema = z.object({
  runner: z.object({ id: z.number().int().positive(), name: z.string() }),
  encoded_jit_config: z.string().min(1),
});

export const runnerSchema = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  status: z.string(),
  busy: z.boolean(),
  ephemeral: z.boolean().optional(),
});
export type GitHubRunner = z.infer<typeof runnerSchema>;

/** GET .../actions/runners?name=... */
export const runnerListSchema = z.object({ total_count: z.number().int(), runners: z.array(runnerSchema) });

/** GET /app/hook/deliveries: one delivery of the App's webhook (newest first; cursor pagination). */
export const hookDeliverySchema = z.object({
  id: z.number().int(),
  guid: z.string(),
  delivered_at: z.string(),
  redelivery: z.boolean(),
  status: z.string(),
  status_code: z.number().int(),
  event: z.string(),
  action: z.string().nullable().optional(),
  installation_id: z.number().int().nullable().optional(),
  repository_id: z.number().int().nullable().optional(),
});
export type HookDelivery = z.infer<typeof hookDeliverySchema>;
export const hookDeliveryListSchema = z.array(hookDeliverySchema);

/** GET /app/hook/deliveries/{delivery_id}: the delivery with the payload GitHub sent. */
export const hookDeliveryDetailSchema = hookDeliverySchema.extend({
  request: z.object({ payload: z.unknown() }).nullable().optional(),
});

/** Validates a response body; the error names the fields at fault, never their values (a body may hold a credential). */
export function parseResponse<S extends z.ZodType>(schema: S, data: unknown, route: string): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(body)').join(', ');
  throw new Error(`GitHub answered ${route} with an unexpected body (fields: ${fields}).`);
}
