/** One logger interface with a correlation id on every line (house-style H24). */
export interface Logger {
  error(message: string, correlationId?: string): void;
  warn(message: string, correlationId?: string): void;
  info(message: string, correlationId?: string): void;
  debug(message: string, correlationId?: string): void;
}

/** Discards everything (default in tests). */
export const noopLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/** Writes to stderr with a level and correlation id; `debug` only when `verbose`. */
export function consoleLogger(verbose = false): Logger {
  const line = (level: string, message: string, id?: string) =>
    process.stderr.write(`${new Date().toISOString()} ${level} ${id ? `[${id}] ` : ''}${message}\n`);
  return {
    error: (m, id) => line('ERROR', m, id),
    warn: (m, id) => line('WARN ', m, id),
    info: (m, id) => line('INFO ', m, id),
    debug: (m, id) => {
      if (verbose) line('DEBUG', m, id);
    },
  };
}
