// JSON lines on stdout. Errors and lifecycle events are always written; per-request logs are sampled,
// because at tens of thousands of requests per second each line costs storage and transfer.
export const levels = ["debug", "info", "warn", "error"] as const;
export type Level = (typeof levels)[number];

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /**
   * Writes at `info` for a sampled share of calls only; the line says its sample rate. Fields may be given
   * as a function, so that an unsampled call on a hot path builds nothing.
   */
  sampled(msg: string, fields?: Fields | (() => Fields)): void;
}

export interface LoggerOptions {
  level: Level;
  sampleRate: number;
  write?: (line: string) => void;
  random?: () => number;
  now?: () => number;
}

export function createLogger(options: LoggerOptions, base: Fields = {}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const min = levels.indexOf(options.level);

  function emit(level: Level, msg: string, fields?: Fields): void {
    if (levels.indexOf(level) < min) return;
    const record = { time: new Date(now()).toISOString(), level, msg, ...base, ...fields };
    write(`${JSON.stringify(record, errorsAsObjects)}\n`);
  }

  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    sampled(msg, fields) {
      if (options.sampleRate > 0 && random() < options.sampleRate)
        emit("info", msg, { ...(typeof fields === "function" ? fields() : fields), sampleRate: options.sampleRate });
    },
  };
}

function errorsAsObjects(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
