// The Lambda Function URL request (payload format 2.0) as far as the relay reads it, and the response it returns.
import * as z from 'zod';

export const functionUrlRequestSchema = z.object({
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  requestContext: z.object({ http: z.object({ method: z.string() }) }),
});
export type FunctionUrlRequest = z.infer<typeof functionUrlRequestSchema>;

export interface FunctionUrlResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** A small JSON answer that GitHub shows in the App's delivery log: say what was wrong and how to fix it. */
export function respond(statusCode: number, message: string, headers: Record<string, string> = {}): FunctionUrlResponse {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ message }) };
}

/** Header lookup by name in any case: Function URLs lower-case names, other callers (the sandbox) may not. */
export function readHeaders(request: FunctionUrlRequest): (name: string) => string | undefined {
  const byName = new Map(Object.entries(request.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  return (name) => byName.get(name.toLowerCase());
}

/** Size of the body as GitHub sent it, computed without decoding it. */
export function bodySizeBytes(request: FunctionUrlRequest): number {
  return Buffer.byteLength(request.body ?? '', request.isBase64Encoded === true ? 'base64' : 'utf8');
}

/** The body as GitHub sent it: the Function URL base64-encodes bodies it does not consider text. */
export function rawBody(request: FunctionUrlRequest): string {
  const body = request.body ?? '';
  return request.isBase64Encoded === true ? Buffer.from(body, 'base64').toString('utf8') : body;
}
