/**
 * The JSON-lines logger: one line per entry, written at once or, batched, together at the end of the event-loop
 * turn (the server's request log: one write per turn instead of one per request), never lost at exit.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createJsonLogger, type LogLevel } from '../../src/service/logger.js';

const repoRoot = join(import.meta.dirname, '../..');

/** A stream that keeps each write as it came. */
function recordingStream(): Writable & { writes: string[] } {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      writes.push(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { writes });
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const linesOf = (writes: string[]) =>
  writes
    .join('')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('createJsonLogger', () => {
  it('writes each line as it is logged by default', () => {
    const stream = recordingStream();
    const logger = createJsonLogger({ stream });
    logger.log('info', 'one', { n: 1 });
    logger.log('warn', 'two');
    expect(stream.writes).toHaveLength(2);
    expect(linesOf(stream.writes)).toMatchObject([
      { level: 'info', msg: 'one', n: 1 },
      { level: 'warn', msg: 'two' },
    ]);
  });

  it('batched: writes the lines of one turn together after it, in order, with the level filter applied', async () => {
    const stream = recordingStream();
    const logger = createJsonLogger({ stream, batch: true });
    logger.log('info', 'first', { request_id: 'a' });
    logger.log('debug', 'dropped');
    logger.log('error', 'second', { request_id: 'b' });
    expect(stream.writes).toEqual([]);
    await nextTurn();
    expect(stream.writes).toHaveLength(1);
    expect(linesOf(stream.writes)).toMatchObject([
      { level: 'info', msg: 'first', request_id: 'a' },
      { level: 'error', msg: 'second', request_id: 'b' },
    ]);
    logger.log('info', 'next turn');
    await nextTurn();
    expect(stream.writes).toHaveLength(2);
    expect(linesOf(stream.writes.slice(1))).toMatchObject([{ msg: 'next turn' }]);
  });

  it('batched: a batch past 64 KiB is written at once, without waiting for the turn to end', () => {
    const stream = recordingStream();
    const logger = createJsonLogger({ stream, batch: true });
    const big = 'x'.repeat(1000);
    for (let i = 0; i < 70; i++) logger.log('info', 'big', { i, big });
    expect(stream.writes.length).toBeGreaterThanOrEqual(1);
    expect(stream.writes[0]?.length).toBeGreaterThanOrEqual(64 * 1024);
  });

  it('batched and unbatched loggers write the same text for any entries', async () => {
    const level = fc.constantFrom<LogLevel>('debug', 'info', 'warn', 'error');
    const entry = fc.record({
      level,
      msg: fc.string(),
      fields: fc.option(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue()), {
        nil: undefined,
      }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 20 }), async (entries) => {
        const plain = recordingStream();
        const batched = recordingStream();
        const a = createJsonLogger({ stream: plain, level: 'info' });
        const b = createJsonLogger({ stream: batched, level: 'info', batch: true });
        for (const e of entries) {
          a.log(e.level, e.msg, e.fields);
          b.log(e.level, e.msg, e.fields);
        }
        await nextTurn();
        // The time field may tick between the two loggers' calls; everything else is the same text.
        const strip = (text: string) => text.replace(/"time":"[^"]+"/g, '"time":""');
        expect(strip(batched.writes.join(''))).toBe(strip(plain.writes.join('')));
      }),
      { numRuns: 50 },
    );
  });

  describe('at process exit', () => {
    let dir: string | undefined;
    afterEach(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
      dir = undefined;
    });

    it('writes the lines still pending when the process exits in the same turn', async () => {
      dir = await mkdtemp(join(tmpdir(), 'gitops-lab-logger-'));
      const script = join(dir, 'exit.mts');
      await writeFile(
        script,
        [
          `import { createJsonLogger } from ${JSON.stringify(join(repoRoot, 'src/service/logger.ts'))};`,
          'const logger = createJsonLogger({ batch: true });',
          "logger.log('error', 'bad setting', { setting: 'DOCQA_PORT' });",
          'process.exit(1);',
        ].join('\n'),
      );
      const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
        cwd: repoRoot,
        encoding: 'utf8',
      });
      expect(child.status).toBe(1);
      expect(linesOf([child.stdout])).toMatchObject([
        { level: 'error', msg: 'bad setting', setting: 'DOCQA_PORT' },
      ]);
    });
  });
});
