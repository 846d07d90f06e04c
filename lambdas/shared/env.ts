// Configuration is read once, at cold start, and a missing or malformed variable names itself.
import * as z from 'zod';

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

export function readEnv<S extends z.ZodType>(
  variable: string,
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const raw = env[variable];
  if (raw === undefined || raw === '') {
    throw new ConfigurationError(`Environment variable ${variable} is not set. It is set by the stack: redeploy, or set it when running locally.`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigurationError(`Environment variable ${variable} is invalid: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** A JSON-encoded variable, validated by `schema`. */
export function jsonEnv<S extends z.ZodType>(schema: S) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        const value: unknown = JSON.parse(text);
        return value;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

export const positiveIntEnv = z.coerce.number().int().positive();
export const nonNegativeIntEnv = z.coerce.number().int().nonnegative();

/** A variable with a default: unset or empty means the default; a bad value still fails, naming the variable. */
export function readOptionalEnv(variable: string, schema: z.ZodType<number>, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[variable];
  return raw === undefined || raw === '' ? fallback : readEnv(variable, schema, env);
}
