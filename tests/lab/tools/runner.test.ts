import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createRecordingRunner,
  createRunner,
  formatCommand,
  ToolError,
  ToolMissingError,
  which,
} from '../../../src/lab/tools/index.js';

describe('Runner', () => {
  it('runs a program and returns its output', async () => {
    const runner = createRunner();
    const result = await runner.run({
      program: process.execPath,
      args: ['-e', 'process.stdout.write("hi")'],
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'hi', planned: false });
    expect(runner.commands).toHaveLength(1);
  });

  it('a non-zero exit is a ToolError naming the command and the last stderr lines', async () => {
    const runner = createRunner();
    const error = await runner
      .run({ program: process.execPath, args: ['-e', 'console.error("boom"); process.exit(4)'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).programExitCode).toBe(4);
    expect((error as Error).message).toContain('boom');
  });

  it('allowFailure returns the exit code instead of throwing', async () => {
    const result = await createRunner().run({
      program: process.execPath,
      args: ['-e', 'process.exit(2)'],
      allowFailure: true,
    });
    expect(result.exitCode).toBe(2);
  });

  it('a missing program is a precondition error (exit 3) with an install hint', async () => {
    const error = await createRunner()
      .run({ program: 'kind-does-not-exist-here', args: ['version'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolMissingError);
    expect((error as ToolMissingError).exitCode).toBe(3);
  });

  it('plan mode runs read-only commands and only lists the others', async () => {
    const runner = createRunner({ mode: 'plan' });
    const read = await runner.run({
      program: process.execPath,
      args: ['-e', 'process.stdout.write("state")'],
      readOnly: true,
    });
    expect(read.stdout).toBe('state');
    const change = await runner.run({ program: 'kind', args: ['create', 'cluster', '--name', 'gitops-lab'] });
    expect(change.planned).toBe(true);
    expect(runner.commands.map((c) => c.planned)).toEqual([false, true]);
    expect(runner.commands[1]?.line).toBe('kind create cluster --name gitops-lab');
  });

  it('formats commands the way a person would type them, with secrets masked', () => {
    expect(
      formatCommand({
        program: 'git',
        args: ['push', 'https://x:s3cret@github.com/me/lab.git', 'it has spaces'],
        secrets: ['s3cret'],
      }),
    ).toBe("git push https://x:***@github.com/me/lab.git 'it has spaces'");
  });

  it('which finds executables on PATH only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'which-'));
    writeFileSync(join(dir, 'tool'), '#!/bin/sh\n');
    chmodSync(join(dir, 'tool'), 0o755);
    writeFileSync(join(dir, 'data'), '');
    expect(await which('tool', dir)).toBe(join(dir, 'tool'));
    expect(await which('data', dir)).toBeUndefined();
  });

  it('the recording runner answers from a function and records every call', async () => {
    const runner = createRecordingRunner((c) =>
      c.args[0] === 'fail' ? { exitCode: 1, stderr: 'nope' } : { stdout: 'ok' },
    );
    expect((await runner.run({ program: 'x', args: ['go'] })).stdout).toBe('ok');
    await expect(runner.run({ program: 'x', args: ['fail'] })).rejects.toBeInstanceOf(ToolError);
    expect(runner.commands.map((c) => c.line)).toEqual(['x go', 'x fail']);
  });
});
