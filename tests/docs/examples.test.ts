/**
 * Every documented command runs as written: each example of every `--help`, and each command of every shell
 * block (```sh, ```bash, ```shell, ```console `$` lines) of README.md and docs/*.md. The examples are
 * discovered when the test runs, so a new one is checked without touching this file.
 *
 * They run under bash in a sandbox folder that looks like a clone (manifests/, drills/, evals/, handbook/, docs/
 * linked in), with `gitops-lab` and `npx gitops-lab` both meaning this checkout's built CLI, and a PATH holding
 * only node, git, jq, curl and shell utilities: no kind, kubectl or Docker, so nothing can reach a real cluster.
 * What needs a cluster runs with --dry-run; `serve` starts on port 0 and is stopped once it listens; curl and
 * `eval --target` examples are pointed at one doc-QA service the test starts. What cannot run here is in
 * `notRunHere`, each with its reason. Each example is bounded in time.
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { which } from '../../src/lab/tools/runner.js';
import { cliPath, repoRoot, runCli } from '../support/cli.js';
import { type ServeProcess, startServe } from '../support/serve.js';

interface Example {
  /** Where it is written: `README.md:28` or `gitops-lab drill --help`. */
  source: string;
  command: string;
}

const shellLanguages = new Set(['sh', 'bash', 'shell', 'console']);

/** Joins `\` continuation lines. */
function joinContinuations(lines: string[]): string[] {
  const joined: string[] = [];
  let current: string | undefined;
  for (const line of lines) {
    const text = current === undefined ? line : `${current} ${line.trim()}`;
    if (/\\\s*$/.test(text)) current = text.replace(/\\\s*$/, '').trimEnd();
    else {
      joined.push(text);
      current = undefined;
    }
  }
  if (current !== undefined) joined.push(current);
  return joined;
}

/** The commands of the shell blocks of one Markdown file; untagged blocks must not hide runnable examples. */
function markdownExamples(file: string, text: string): { examples: Example[]; untagged: Example[] } {
  const examples: Example[] = [];
  const untagged: Example[] = [];
  const lines = text.split('\n');
  let language: string | undefined;
  let block: Array<{ line: number; text: string }> = [];
  const flush = () => {
    if (language === undefined) return;
    if (shellLanguages.has(language)) {
      const console = language === 'console';
      let pending: Array<{ line: number; text: string }> = [];
      const commands: Array<{ line: number; text: string }> = [];
      for (const l of block) {
        if (console && pending.length === 0 && !l.text.startsWith('$ ')) continue;
        pending.push({ line: l.line, text: console && pending.length === 0 ? l.text.slice(2) : l.text });
        if (!/\\\s*$/.test(l.text)) {
          const [joined] = joinContinuations(pending.map((p) => p.text));
          commands.push({ line: pending[0]?.line ?? l.line, text: joined ?? '' });
          pending = [];
        }
      }
      for (const c of commands) {
        const command = c.text.trim();
        if (command && !command.startsWith('#')) examples.push({ source: `${file}:${c.line}`, command });
      }
    } else if (language === '') {
      // A synopsis (`[--flag]`, `<name>`, `...`, an upper-case placeholder such as FILE) is not an example.
      for (const l of block)
        if (/^(npx )?gitops-lab\s/.test(l.text.trim()) && !/\[|<|\.\.\.|\s[A-Z][A-Z_]*(\s|$)/.test(l.text))
          untagged.push({ source: `${file}:${l.line}`, command: l.text.trim() });
    }
  };
  lines.forEach((line, i) => {
    const fence = /^\s*```\s*([\w-]*)/.exec(line);
    if (fence) {
      if (language === undefined) {
        language = fence[1] ?? '';
        block = [];
      } else {
        flush();
        language = undefined;
      }
      return;
    }
    if (language !== undefined) block.push({ line: i + 1, text: line });
  });
  return { examples, untagged };
}

/** The `$ ` examples of a --help text, without the description after them (two or more spaces). */
function helpExamples(source: string, help: string): Example[] {
  const lines = help.split('\n');
  const examples: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s+\$ (.*)$/.exec(lines[i] ?? '');
    if (!m?.[1]) continue;
    const parts = [m[1]];
    while (/\\\s*$/.test(parts.at(-1) ?? '') && i + 1 < lines.length) parts.push(lines[++i] ?? '');
    const [joined] = joinContinuations(parts);
    examples.push({ source, command: (joined ?? '').split(/ {2,}/)[0]?.trim() ?? '' });
  }
  return examples;
}

function commandPaths(command: Command, path: string[] = []): string[][] {
  return command.commands.flatMap((c) => [[...path, c.name()], ...commandPaths(c, [...path, c.name()])]);
}

/** Examples that cannot run on a machine without Docker, a cluster or an API key; each says why. */
const notRunHere: Array<{ match: RegExp; reason: string }> = [
  {
    match: /GEMINI_API_KEY=\.\.\./,
    reason: 'needs a Gemini API key (tests/service runs generative mode against a local stub)',
  },
  {
    match: /gitops-lab pin .*--commit/,
    reason: 'commits to your repository; the --dry-run example makes the same change without committing',
  },
  { match: /--digest-from-docker/, reason: 'needs Docker and a pulled or pushed image' },
  {
    match: /gitops-lab-sim\/sim\.json|--target "\$svc"/,
    reason:
      "a running simulated lab's docqa Service, read from its sim.json (tests/cli/simulate-e2e.test.ts asks it)",
  },
  {
    match: /my-cases|my-gates|my-fork\/|\.\/fork\//,
    reason: 'a folder of your own (your cases, gates or fork)',
  },
  { match: /^npm (ci|test)\b/, reason: 'the set-up and test commands this test itself runs under' },
  {
    match: /gitops-lab up( --dry-run)? --context /,
    reason:
      'reuses an existing cluster through its kube context (tests/cli/up.test.ts runs it against the fake API server)',
  },
  {
    match: /^kubectl kustomize .*\| *gitops-lab lint -/,
    reason:
      'needs kubectl, which the sandbox leaves out (tests/lab/lint/formats.test.ts pipes manifests into lint -)',
  },
];

/** Exit codes a documented command may end with, when not 0, and why. */
function allowedExitCodes(command: string): { codes: number[]; stderr?: RegExp } {
  // No lab here: status says so (exit 3).
  // (Piped into jq, the error document has no .apps: jq exits 5.)
  if (/gitops-lab status\b/.test(command)) return { codes: [3, 5], stderr: /No lab found/ };
  // doctor on a machine without Docker, kind and kubectl reports them missing (exit 3), which is its job.
  if (/gitops-lab doctor\b/.test(command)) return { codes: [0, 3] };
  // canary against Prometheus: none runs here; the flags must parse and the failure must be about Prometheus (or
  // the lab).
  if (/gitops-lab canary (check|compare)\b/.test(command) && !/--canary-file/.test(command))
    // Without --arg or --canary/--baseline they read the lab's Rollout first; there is no lab here either.
    return {
      codes: [2],
      stderr: /Prometheus .*unreachable|no lab Prometheus found|no lab was found to read/,
    };
  // eval on a filtered subset applies the suite's gates to fewer cases: a failed gate (exit 1) is its answer.
  if (/gitops-lab eval\b.*--filter\b/.test(command)) return { codes: [0, 1] };
  return { codes: [0] };
}

const sandbox = mkdtempSync(join(tmpdir(), 'gitops-lab-examples-'));
const bin = join(sandbox, '.bin');
let service: ServeProcess | undefined;
let serviceUrl = '';

/** Rewrites an example for this machine: `npx gitops-lab` is the shim, cluster commands get --dry-run, ports are ours. */
function adapt(command: string): string {
  let c = command.replace(/\bnpx gitops-lab\b/g, 'gitops-lab');
  if (/gitops-lab up\b/.test(c) && !c.includes('--dry-run'))
    c = c.replace(/gitops-lab up\b/, 'gitops-lab up --dry-run');
  const drill = /gitops-lab drill (?!-)\S+/.exec(c);
  if (drill && !c.includes('--dry-run')) c = c.replace(drill[0], `${drill[0]} --dry-run`);
  // The doc-QA service the examples talk to is the one this test started.
  return c.replace(/(?:http:\/\/)?(?:localhost|127\.0\.0\.1):80\d\d\b/g, serviceUrl);
}

function bash(command: string, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-o', 'pipefail', '-c', command],
      {
        cwd: sandbox,
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          PATH: bin,
          HOME: sandbox,
          GITOPS_LAB_STATE_DIR: join(sandbox, 'state'),
          KUBECONFIG: join(sandbox, 'no-kubeconfig'),
          NO_COLOR: '1',
          GEMINI_API_KEY: '',
          TMPDIR: tmpdir(),
        },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 124) : 0, stdout, stderr }),
    );
  });
}

// Discovery: README.md and docs/*.md as they are now, and every command's --help.
const documents = [
  'README.md',
  ...readdirSync(join(repoRoot, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const fromDocs = documents.map((d) => markdownExamples(d, readFileSync(join(repoRoot, d), 'utf8')));
const fromHelp = (
  await Promise.all(
    [[], ...commandPaths(buildProgram())].map(async (path) => {
      const help = await runCli([...path, '--help']);
      return helpExamples(`gitops-lab ${[...path, '--help'].join(' ')}`, help.stdout);
    }),
  )
).flat();
const examples = [...fromDocs.flatMap((d) => d.examples), ...fromHelp];

beforeAll(async () => {
  mkdirSync(bin);
  for (const dir of ['manifests', 'drills', 'evals', 'handbook', 'docs'])
    symlinkSync(join(repoRoot, dir), join(sandbox, dir));
  writeFileSync(join(bin, 'gitops-lab'), `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`, {
    mode: 0o755,
  });
  for (const tool of [
    'bash',
    'sh',
    'git',
    'jq',
    'curl',
    'head',
    'tail',
    'cat',
    'grep',
    'sed',
    'env',
    'echo',
    'sort',
    'wc',
    'tee',
  ]) {
    const path = await which(tool);
    if (path) symlinkSync(path, join(bin, tool));
  }
  symlinkSync(process.execPath, join(bin, 'node'));
  // Inputs the examples name as made earlier: a previous eval result, and offline series for canary compare.
  writeFileSync(join(sandbox, 'canary.json'), JSON.stringify([0.22, 0.2, 0.24, 0.21, 0.25, 0.22, 0.23, 0.2]));
  writeFileSync(
    join(sandbox, 'baseline.json'),
    JSON.stringify([0.2, 0.22, 0.21, 0.24, 0.23, 0.2, 0.25, 0.22]),
  );
  const before = await bash('gitops-lab eval --json before.json > /dev/null', 120_000);
  expect(before.code, before.stderr).toBe(0);
  service = startServe(['--port', '0']);
  serviceUrl = await service.url;
}, 180_000);

afterAll(async () => {
  await service?.stop();
  rmSync(sandbox, { recursive: true, force: true });
});

describe('documented examples', () => {
  it('are found in README.md, docs/ and every --help', () => {
    expect(fromDocs.flatMap((d) => d.examples).length).toBeGreaterThan(20);
    expect(fromHelp.length).toBeGreaterThan(20);
    // Every command's --help has an example.
    for (const path of commandPaths(buildProgram()))
      expect(
        fromHelp.some((e) => e.source === `gitops-lab ${path.join(' ')} --help`),
        path.join(' '),
      ).toBe(true);
  });

  it('jq and curl are installed (CI installs them: .ci/run)', async () => {
    expect(await which('jq')).toBeDefined();
    expect(await which('curl')).toBeDefined();
  });

  it('no block hides a runnable command from this test: blocks with commands are tagged sh or console', () => {
    expect(fromDocs.flatMap((d) => d.untagged)).toEqual([]);
  });

  it('copy-paste commands in README.md and docs/ say `npx gitops-lab`, which works in a clone', () => {
    const bare = fromDocs
      .flatMap((d) => d.examples)
      .filter((e) => /(^|[;&|]\s*|=\S+\s+)gitops-lab\s/.test(e.command) && !/npx gitops-lab/.test(e.command));
    expect(bare).toEqual([]);
  });

  it.each(examples.map((e) => [`${e.source}: ${e.command}`, e] as const))(
    '%s',
    async (_, example) => {
      const skip = notRunHere.find((n) => n.match.test(example.command));
      const involvesUs = /gitops-lab\b/.test(example.command);
      const talksToService = /^curl\b.*(localhost|127\.0\.0\.1):80\d\d/.test(example.command);
      if (skip || (!involvesUs && !talksToService)) {
        // Not run here: the reason is in notRunHere, or it is another tool's command (kubectl, docker, git, echo).
        expect(skip?.reason ?? 'another tool').toBeTruthy();
        return;
      }
      const command = adapt(example.command).replace(/\s#\s.*$/, '');
      if (/gitops-lab serve\b/.test(command)) {
        const args = command
          .replace(/&\s*$/, '')
          .replace(/--port \d+/, '')
          .replace(/^.*gitops-lab serve/, '')
          .trim()
          .split(/\s+/)
          .filter(Boolean);
        const env = Object.fromEntries(
          [...command.matchAll(/\b([A-Z_]+)=(\S+)\s/g)].map((m) => [m[1], m[2]]),
        );
        const serve = startServe(['--port', '0', ...args], env);
        try {
          expect(await serve.url).toMatch(/^http:\/\//);
        } finally {
          await serve.stop();
        }
        return;
      }
      const result = await bash(command, 120_000);
      const allowed = allowedExitCodes(command);
      const detail = `${command}\nexit ${result.code}\n${result.stderr}\n${result.stdout.slice(0, 2000)}`;
      expect(allowed.codes, detail).toContain(result.code);
      if (result.code !== 0 && allowed.stderr) expect(result.stderr, detail).toMatch(allowed.stderr);
      expect(result.stderr, detail).not.toMatch(
        /unknown option|unknown command|too many arguments|at .*\.js:\d+:\d+/,
      );
    },
    150_000,
  );
});

describe('example discovery', () => {
  it('reads sh and console blocks, joins continuations, and flags untagged runnable commands', () => {
    const md = [
      '```sh',
      'npx gitops-lab eval   # a comment',
      'curl -s localhost:8080/v1/ask \\',
      "  -d '{}'",
      '```',
      '```console',
      '$ npx gitops-lab lint',
      'output line',
      '```',
      '```',
      'gitops-lab drill',
      'gitops-lab pin [--commit]',
      '```',
    ].join('\n');
    const { examples: found, untagged } = markdownExamples('x.md', md);
    expect(found.map((e) => e.command)).toEqual([
      'npx gitops-lab eval   # a comment',
      "curl -s localhost:8080/v1/ask -d '{}'",
      'npx gitops-lab lint',
    ]);
    expect(untagged.map((e) => e.command)).toEqual(['gitops-lab drill']);
    expect(
      helpExamples(
        'h',
        'Examples:\n  $ gitops-lab drill x --dry-run     every step\n  $ gitops-lab a \\\n      --b c',
      ),
    ).toEqual([
      { source: 'h', command: 'gitops-lab drill x --dry-run' },
      { source: 'h', command: 'gitops-lab a --b c' },
    ]);
  });

  it('the sandbox is a clone-like folder without cluster tools', () => {
    expect(existsSync(join(bin, 'kubectl'))).toBe(false);
    expect(existsSync(join(bin, 'docker'))).toBe(false);
    expect(existsSync(join(sandbox, 'manifests'))).toBe(true);
    expect(bin.includes(delimiter)).toBe(false);
  });
});
