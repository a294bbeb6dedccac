/**
 * Structured logs: one JSON object per line. The service logs through an injected Logger so tests can
 * capture lines and the CLI can choose the stream. Never log secrets or question text at info level.
 */
import type { Writable } from 'node:stream';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
}

export interface JsonLoggerOptions {
  stream?: Writable;
  /** The lowest level written (default info). */
  level?: LogLevel;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A logger writing JSON lines (`{"time","level","msg",...fields}`) to a stream, stdout by default. */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stdout;
  const min = order[options.level ?? 'info'];
  return {
    log(level, msg, fields = {}) {
      if (order[level] < min) return;
      stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
    },
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { log() {} };

/** A logger that keeps entries in memory (tests). */
export function createMemoryLogger(): Logger & {
  entries: Array<{ level: LogLevel; msg: string } & LogFields>;
} {
  const entries: Array<{ level: LogLevel; msg: string } & LogFields> = [];
  return {
    entries,
    log(level, msg, fields = {}) {
      entries.push({ ...fields, level, msg });
    },
  };
}
