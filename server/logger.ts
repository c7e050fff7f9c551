/** Leveled logging to stderr; one instance is created at boot and passed down. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** A logger that prints messages at or above `level` with a timestamp. */
export function createLogger(level: (typeof LEVELS)[number] = 'info', write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Logger {
  const threshold = LEVELS.indexOf(level);
  const at = (name: (typeof LEVELS)[number]) => (message: string) => {
    if (LEVELS.indexOf(name) >= threshold) write(`${new Date().toISOString()} ${name.padEnd(5)} ${message}`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A logger that prints nothing (tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
