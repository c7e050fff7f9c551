/** Structured details of a log line (ids, codes, an error's stack); printed as JSON after the message. */
export type LogFields = Record<string, unknown>;

/** Leveled logging to stderr; one instance is created at boot and passed down. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** JSON of the fields; an Error (which JSON.stringify would print as `{}`) keeps its message and stack. */
function formatFields(fields: LogFields): string {
  try {
    return JSON.stringify(fields, (_key, value: unknown) =>
      value instanceof Error
        ? { name: value.name, ...('code' in value ? { code: value.code } : {}), message: value.message, stack: value.stack }
        : typeof value === 'bigint'
          ? String(value)
          : value,
    );
  } catch {
    return '[unprintable details]';
  }
}

/** A logger that prints messages at or above `level` with a timestamp, and their details as JSON. */
export function createLogger(level: (typeof LEVELS)[number] = 'info', write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Logger {
  const threshold = LEVELS.indexOf(level);
  const at = (name: (typeof LEVELS)[number]) => (message: string, fields?: LogFields) => {
    if (LEVELS.indexOf(name) < threshold) return;
    const details = fields && Object.keys(fields).length > 0 ? ` ${formatFields(fields)}` : '';
    write(`${new Date().toISOString()} ${name.padEnd(5)} ${message}${details}`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A logger that prints nothing (tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
