import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/handlers/lint.js';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'lint');

function capture(isTTY: boolean) {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => text };
}

const saved = { CI: process.env.CI, NO_COLOR: process.env.NO_COLOR, exitCode: process.exitCode };
function restore(name: 'CI' | 'NO_COLOR', value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
afterEach(() => {
  restore('CI', saved.CI);
  restore('NO_COLOR', saved.NO_COLOR);
  process.exitCode = saved.exitCode;
});

describe('lint output on a terminal', () => {
  it('groups findings by file with the message and the fix on their own lines', async () => {
    process.env.CI = 'false';
    process.env.NO_COLOR = '1';
    const out = capture(true);
    await run(
      { dir: join(fixtures, 'policy-privileged', 'fail') },
      { stdout: out.stream, stderr: capture(false).stream },
    );
    const lines = out.text().split('\n');
    expect(lines[0]).toBe('workload.yaml');
    // Issue 17 item 12: the head showed `rule:line`; it is `file:line` (clickable), then the rule.
    expect(lines[1]).toMatch(
      /^ {2}error {3}workload\.yaml:\d+ {2}policy-privileged {2}Deployment\/web\/web$/,
    );
    expect(lines[2]).toContain('container web runs privileged');
    expect(lines[3]).toMatch(/^ +fix: Remove privileged: true/);
    expect(out.text()).toMatch(/1 error, 0 warnings/);
    expect(process.exitCode).toBe(1);
  });

  it('prints the plain table when stdout is not a terminal', async () => {
    const out = capture(false);
    await run(
      { dir: join(fixtures, 'policy-privileged', 'pass') },
      { stdout: out.stream, stderr: capture(false).stream },
    );
    expect(out.text()).toMatch(/0 errors, 0 warnings/);
    expect(process.exitCode).not.toBe(1);
  });
});
