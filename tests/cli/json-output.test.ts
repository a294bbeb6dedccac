/**
 * Every command with --json prints exactly one JSON document on stdout, whether it succeeds or fails; a failure
 * is {"type":"error","error":{"code","message","hint","exitCode"}}. `up --json` streams JSON lines: each line is a
 * document and a failure ends with the error line. The commands are discovered from the program, so a new
 * command with --json must be added to the table below or this test fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { runCli } from '../support/cli.js';

const home = mkdtempSync(join(tmpdir(), 'gitops-lab-json-'));
const env = {
  HOME: home,
  GITOPS_LAB_STATE_DIR: join(home, 'state'),
  KUBECONFIG: join(home, 'no-kubeconfig'),
  GEMINI_API_KEY: '',
};
writeFileSync(join(home, 'canary.json'), JSON.stringify([0.21, 0.25, 0.22, 0.3, 0.27, 0.24, 0.26, 0.23]));
writeFileSync(join(home, 'baseline.json'), JSON.stringify([0.2, 0.22, 0.21, 0.24, 0.23, 0.2, 0.25, 0.22]));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const digest = `sha256:${'ab'.repeat(32)}`;

/** For each command with --json: runs that succeed (or report, exit 0/1/3 with a document) and runs that fail. */
const cases: Record<string, { ok: string[][]; failing: string[][] }> = {
  up: {
    ok: [
      ['up', '--dry-run', '--json'],
      ['up', '--simulate', '--dry-run', '--json'],
    ],
    failing: [
      ['up', '--json', '--repo', 'not a url'],
      ['up', '--simulate', '--speed', '0', '--json'],
    ],
  },
  down: { ok: [['down', '--json', '--yes']], failing: [['down', '--json', '--context', ' ']] },
  status: {
    ok: [],
    failing: [
      ['status', '--json'],
      ['status', '--json', '--interval', 'x'],
    ],
  },
  doctor: { ok: [['doctor', '--json']], failing: [['doctor', '--json', '--context', ' ']] },
  drill: {
    ok: [
      ['drill', '--json'],
      ['drill', 'argo-vs-hpa', '--dry-run', '--json'],
    ],
    failing: [
      ['drill', 'no-such-drill', '--json'],
      ['drill', '--json', '--var', 'novalue'],
    ],
  },
  eval: {
    ok: [['eval', '--json', '-', '--filter', 'hpa']],
    failing: [
      ['eval', '--json', '-', '--target', 'http://127.0.0.1:1'],
      ['eval', '--json', '-', '--repeat', '0'],
    ],
  },
  'canary check': {
    ok: [],
    failing: [
      ['canary', 'check', '--json', '--prometheus', 'http://127.0.0.1:1'],
      ['canary', 'check', '--json', '--template', join(home, 'missing.yaml')],
    ],
  },
  'canary compare': {
    ok: [
      [
        'canary',
        'compare',
        '--json',
        '--canary-file',
        join(home, 'canary.json'),
        '--baseline-file',
        join(home, 'baseline.json'),
        '--direction',
        'increase',
      ],
    ],
    failing: [['canary', 'compare', '--json', '--canary-file', join(home, 'missing.json')]],
  },
  lint: { ok: [['lint', 'manifests', '--json']], failing: [['lint', join(home, 'nowhere'), '--json']] },
  pin: {
    ok: [['pin', '--image', 'ghcr.io/gitops-lab/docqa', '--digest', digest, '--dry-run', '--json']],
    failing: [
      ['pin', '--json'],
      ['pin', '--json', '--image', 'ghcr.io/gitops-lab/docqa', '--digest', 'sha256:x'],
    ],
  },
};

function commandsWithJson(command: Command, path: string[] = []): string[] {
  return command.commands.flatMap((c) => {
    const here = [...path, c.name()];
    const own = c.options.some((o) => o.long === '--json') ? [here.join(' ')] : [];
    return [...own, ...commandsWithJson(c, here)];
  });
}

function documents(stdout: string, lines: boolean): unknown[] {
  if (lines)
    return stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
  return [JSON.parse(stdout) as unknown];
}

describe('--json: one JSON document on stdout, success or failure', () => {
  it('the table covers every command that has --json', () => {
    expect(Object.keys(cases).sort()).toEqual(commandsWithJson(buildProgram()).sort());
  });

  for (const [name, { ok, failing }] of Object.entries(cases)) {
    const lines = name === 'up';
    for (const args of ok) {
      it(`${args.join(' ')} prints a JSON document`, async () => {
        const r = await runCli(args, { env, cwd: process.cwd(), timeoutMs: 120_000 });
        expect([0, 1, 3], r.stderr).toContain(r.code);
        const docs = documents(r.stdout, lines);
        expect(docs.length).toBeGreaterThan(0);
        if (r.code !== 0) expect(docs.at(-1)).toBeTypeOf('object');
      }, 130_000);
    }
    for (const args of failing) {
      it(`${args.join(' ')} fails with an error document`, async () => {
        const r = await runCli(args, { env, cwd: process.cwd(), timeoutMs: 120_000 });
        expect(r.code).not.toBe(0);
        const docs = documents(r.stdout, lines);
        const last = docs.at(-1) as {
          error?: { code?: unknown; message?: unknown; hint?: unknown; exitCode?: unknown };
        };
        expect(last.error?.code).toBeTypeOf('string');
        expect(last.error?.message).toBeTypeOf('string');
        expect(last.error?.hint).toBeTypeOf('string');
        expect(last.error?.exitCode).toBe(r.code);
        // The same sentence is on stderr for the person.
        expect(r.stderr).toContain(String(last.error?.message).replace(/\.$/, '').slice(0, 30));
      }, 130_000);
    }
  }
});
