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
  /**
   * Gather the lines of one event-loop turn and write them together, after the turn's I/O (default false: one
   * write per line). Node writes to a file or pipe on stdout synchronously, a system call per write; a server
   * logging a line per request pays one per request. Lines still pending when the process exits are written
   * then. Off for streams a caller reads back at once (tests).
   */
  batch?: boolean;
}

/** A batch is written at once when it grows past this, without waiting for the end of the turn. */
const BATCH_BYTES = 64 * 1024;
/** Batching loggers with lines not yet written: flushed at process exit. */
const pending = new Set<() => void>();
let exitHook = false;

function flushAllPending(): void {
  for (const flush of [...pending]) flush();
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const levelPrefix: Record<LogLevel, string> = {
  debug: '","level":"debug","msg":',
  info: '","level":"info","msg":',
  warn: '","level":"warn","msg":',
  error: '","level":"error","msg":',
};

/** ISO time of the current millisecond, formatted once per millisecond. */
let lastMs = -1;
let lastIso = '';
function isoNow(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

/**
 * `{"time","level","msg",...fields}` as one line. Built from pieces rather than from a merged object (the
 * same text: JSON.stringify writes keys in insertion order); fields that reuse a reserved key take the
 * merged-object path so they override in place exactly as before.
 */
export function formatLogLine(level: LogLevel, msg: string, fields: LogFields | undefined): string {
  const time = isoNow();
  if (fields === undefined) return `{"time":"${time}${levelPrefix[level]}${JSON.stringify(msg)}}\n`;
  if (
    'time' in fields ||
    'level' in fields ||
    'msg' in fields ||
    'toJSON' in fields ||
    startsWithDigit(fields)
  ) {
    return `${JSON.stringify({ time, level, msg, ...fields })}\n`;
  }
  const rest = JSON.stringify(fields);
  const head = `{"time":"${time}${levelPrefix[level]}${JSON.stringify(msg)}`;
  return rest.length > 2 ? `${head},${rest.slice(1)}\n` : `${head}}\n`;
}

/** Integer-like keys come first in a merged object; a field list starting with a digit takes that path. */
function startsWithDigit(fields: LogFields): boolean {
  for (const key in fields) {
    const c = key.charCodeAt(0);
    return c >= 48 && c <= 57;
  }
  return false;
}

/** A logger writing JSON lines (`{"time","level","msg",...fields}`) to a stream, stdout by default. */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stdout;
  const min = order[options.level ?? 'info'];
  if (!options.batch) {
    return {
      log(level, msg, fields) {
        if (order[level] < min) return;
        stream.write(formatLogLine(level, msg, fields));
      },
    };
  }
  let batch = '';
  const flush = (): void => {
    pending.delete(flush);
    if (batch === '') return;
    const text = batch;
    batch = '';
    stream.write(text);
  };
  if (!exitHook) {
    exitHook = true;
    process.once('exit', flushAllPending);
  }
  return {
    log(level, msg, fields) {
      if (order[level] < min) return;
      if (batch === '') {
        pending.add(flush);
        setImmediate(flush);
      }
      batch += formatLogLine(level, msg, fields);
      if (batch.length >= BATCH_BYTES) flush();
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
