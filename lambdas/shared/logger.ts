// Structured logs: one JSON object per line, so CloudWatch Logs Insights discovers the fields.
// Keys that can hold credentials are redacted whatever the caller passes, as a second line of defence.
const REDACTED_KEY = /(token|secret|password|private.?key|jit.?config|signature|authorization)/i;

export type LogFields = Record<string, unknown>;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

export function createLogger(base: LogFields = {}, sink: LogSink = (line) => process.stdout.write(`${line}\n`)): Logger {
  const write = (level: LogLevel, message: string, fields: LogFields = {}): void => {
    sink(JSON.stringify({ level, message, ...redact(base), ...redact(fields), time: new Date().toISOString() }));
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    child: (fields) => createLogger({ ...base, ...fields }, sink),
  };
}

/** A logger that drops everything: for tests and the sandbox when quiet. */
export const silentLogger: Logger = createLogger({}, () => undefined);

function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (REDACTED_KEY.test(key)) out[key] = '[redacted]';
    else if (value instanceof Error) out[key] = { name: value.name, message: value.message };
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) out[key] = redact(value as LogFields);
    else out[key] = value;
  }
  return out;
}
