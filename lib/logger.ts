/**
 * The logging interface: the same three methods as Powertools' Logger and most structured loggers, so
 * one can be passed in as it is.
 */
export interface Logger {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

/**
 * Writes one JSON object per line to the console, which Lambda forwards to CloudWatch Logs. INFO lines
 * are dropped when `AWS_LAMBDA_LOG_LEVEL` (Lambda's log level setting) is WARN, ERROR or FATAL.
 */
export const consoleJsonLogger: Logger = {
  info: (message, fields) => {
    if (!QUIET_LEVELS.has(process.env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase() ?? '')) {
      console.info(formatLine('INFO', message, fields));
    }
  },
  warn: (message, fields) => console.warn(formatLine('WARN', message, fields)),
  error: (message, fields) => console.error(formatLine('ERROR', message, fields)),
};

const QUIET_LEVELS = new Set(['WARN', 'ERROR', 'FATAL']);

function formatLine(level: string, message: string, fields: Record<string, unknown>): string {
  return JSON.stringify({ level, message, ...fields, timestamp: new Date().toISOString() }, replaceErrors);
}

/** Errors serialize to `{}` by default; keep their name and message. */
function replaceErrors(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

/**
 * Describes a caught error for a log line. Errors created in another realm, such as a Node vm context
 * (Jest runs tests in one), fail `instanceof Error`, so any object with a string name and message counts
 * as an error.
 */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error || isErrorLike(error)) return { name: error.name, message: error.message };
  return { name: typeof error, message: String(error) };
}

function isErrorLike(value: unknown): value is { name: string; message: string } {
  const candidate = value as { name?: unknown; message?: unknown } | null;
  return typeof candidate === 'object' && candidate !== null &&
    typeof candidate.name === 'string' && typeof candidate.message === 'string';
}
