/**
 * Loads drill files: YAML → zod → probe references resolved. Every error names the file, the line when known,
 * and the field, e.g. `drills/argo-vs-hpa.yaml:14 observe.window: expected a duration such as 30s`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { isNode, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { fileProblem, UsageError } from '../../errors.js';
import { packagePath } from '../../paths.js';
import {
  type Action,
  type DrillFile,
  drillSchema,
  type Expectation,
  type Probe,
  type ProbeUse,
} from './schema.js';

/** A probe with the id it is known by: its name in `probes:`, or where it was written inline. */
export interface NamedProbe {
  id: string;
  probe: Probe;
}

export type ResolvedAction =
  | Exclude<Action, { type: 'wait' }>
  | (Omit<Extract<Action, { type: 'wait' }>, 'until'> & { until?: NamedProbe });

export interface ResolvedExpectation extends Omit<Expectation, 'probe'> {
  probe: NamedProbe;
}

/** A validated drill with every probe reference resolved. */
export interface Drill
  extends Omit<DrillFile, 'preconditions' | 'steady_state' | 'observe' | 'verify' | 'inject' | 'rollback'> {
  file: string;
  preconditions: NamedProbe[];
  steady_state: { hypothesis: string; probes: NamedProbe[] };
  inject: ResolvedAction[];
  observe: Omit<DrillFile['observe'], 'expect' | 'record'> & {
    expect: ResolvedExpectation[];
    record: NamedProbe[];
  };
  rollback: ResolvedAction[];
  verify: Omit<DrillFile['verify'], 'probes'> & { probes: NamedProbe[] };
}

/** The catalogue shipped with the package. */
export function defaultCatalogueDir(): string {
  return packagePath('drills');
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

function pathText(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(top level)';
}

/**
 * Values a drill can refer to as `{{name}}` in any string, so one catalogue fits any lab: where the doc-QA
 * service and Prometheus are reached from this machine. The CLI fills them from flags.
 */
export const defaultDrillVars: Readonly<Record<string, string>> = {
  docqa_url: 'http://127.0.0.1:8080',
  prometheus_url: 'http://127.0.0.1:9090',
};

export interface LoadOptions {
  vars?: Record<string, string>;
}

function substitute(
  value: unknown,
  vars: Record<string, string>,
  path: Array<string | number>,
  where: string,
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, key: string) => {
      const found = vars[key];
      if (found === undefined) {
        throw new UsageError(`${where} ${pathText(path)}: unknown variable {{${key}}}.`, {
          hint: `Known variables: ${Object.keys(vars).join(', ')}.`,
        });
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, vars, [...path, i], where));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substitute(v, vars, [...path, k], where)]),
    );
  }
  return value;
}

/** Parses and validates the text of a drill file; `file` is used in error messages and for the name check. */
export function parseDrill(text: string, file: string, options: LoadOptions = {}): Drill {
  const where = displayPath(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, logLevel: 'error' });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = lineCounter.linePos(yamlError.pos[0]).line;
    throw new UsageError(
      `${where}${line ? `:${line}` : ''}: invalid YAML: ${yamlError.message.split('\n')[0]}.`,
      {
        hint: 'Fix the YAML syntax; docs/drills.md shows the drill format.',
      },
    );
  }
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // e.g. an alias (*name) whose anchor does not exist, or an alias bomb
    throw new UsageError(`${where}: invalid YAML: ${(error as Error).message.split('\n')[0]}.`, {
      hint: 'Fix the YAML; docs/drills.md shows the drill format.',
    });
  }
  const data = substitute(js, { ...defaultDrillVars, ...options.vars }, [], where);
  const result = drillSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0] as z.core.$ZodIssue;
    throw new UsageError(
      `${where}${lineOf(doc, issue.path, lineCounter)} ${pathText(issue.path)}: ${issue.message}.`,
      {
        hint: 'docs/drills.md lists every field of the drill format.',
      },
    );
  }
  const drill = result.data;
  const expectedName = basename(file).replace(/\.ya?ml$/, '');
  if (drill.name !== expectedName) {
    throw new UsageError(`${where} name: "${drill.name}" does not match the file name "${expectedName}".`, {
      hint: `Rename the file to ${drill.name}.yaml or set name: ${expectedName}.`,
    });
  }
  return resolveDrill(drill, file, where);
}

function lineOf(
  doc: ReturnType<typeof parseDocument>,
  path: ReadonlyArray<PropertyKey>,
  counter: LineCounter,
): string {
  // Walk up until a node that exists (a missing field points at its parent).
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as Array<string | number>, true);
    if (isNode(node) && node.range) {
      return `:${counter.linePos(node.range[0]).line}`;
    }
    if (n === 0 && isSeq(doc.contents)) break;
  }
  return '';
}

function resolveDrill(drill: DrillFile, file: string, where: string): Drill {
  const names = Object.keys(drill.probes);
  const use = (probe: ProbeUse, field: string): NamedProbe => {
    if (typeof probe !== 'string') return { id: field, probe };
    const found = drill.probes[probe];
    if (!found) {
      throw new UsageError(
        `${where} ${field}: unknown probe "${probe}" (defined: ${names.length ? names.join(', ') : 'none'}).`,
        { hint: 'Define it under `probes:` or write the probe inline.' },
      );
    }
    return { id: probe, probe: found };
  };
  const actions = (list: Action[], field: string): ResolvedAction[] =>
    list.map((action, i) =>
      action.type === 'wait'
        ? {
            ...action,
            until: action.until === undefined ? undefined : use(action.until, `${field}[${i}].until`),
          }
        : action,
    );
  const steadyProbes = drill.steady_state.probes.map((p, i) => use(p, `steady_state.probes[${i}]`));
  return {
    ...drill,
    file,
    preconditions: drill.preconditions.map((p, i) => use(p, `preconditions[${i}]`)),
    steady_state: { hypothesis: drill.steady_state.hypothesis, probes: steadyProbes },
    inject: actions(drill.inject, 'inject'),
    observe: {
      ...drill.observe,
      expect: drill.observe.expect.map((e, i) => ({
        ...e,
        probe: use(e.probe, `observe.expect[${i}].probe`),
      })),
      record: drill.observe.record.map((p, i) => use(p, `observe.record[${i}]`)),
    },
    rollback: actions(drill.rollback, 'rollback'),
    verify: {
      within: drill.verify.within,
      interval: drill.verify.interval,
      probes: drill.verify.probes
        ? drill.verify.probes.map((p, i) => use(p, `verify.probes[${i}]`))
        : steadyProbes,
    },
  };
}

export async function loadDrillFile(file: string, options: LoadOptions = {}): Promise<Drill> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read drill file ${displayPath(file)}: ${fileProblem(error)}.`, {
      hint: 'A drill is a readable YAML file: fix or move this path, or pass another drill.',
      cause: error,
    });
  }
  return parseDrill(text, file, options);
}

/** The file names in a catalogue folder; an unreadable folder is a usage error naming it. */
async function readCatalogueDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    throw new UsageError(
      `cannot read the drill catalogue ${displayPath(dir)}: ${fileProblem(error, 'folder')}.`,
      {
        hint: 'Pass --drills DIR pointing at a folder of drill YAML files.',
        cause: error,
      },
    );
  }
}

/**
 * The names of the drills of a catalogue directory (its `*.yaml` / `*.yml` files, without the extension), sorted:
 * the one list of the drills there are, for the CLI's hints and the tests that run every drill.
 */
export async function catalogueNames(dir: string = defaultCatalogueDir()): Promise<string[]> {
  return namesIn(await readCatalogueDir(dir));
}

const namesIn = (entries: string[]) =>
  entries
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => f.replace(/\.ya?ml$/, ''))
    .sort();

/** Every drill in a catalogue directory (files `*.yaml`), sorted by name. */
export async function loadCatalogue(
  dir: string = defaultCatalogueDir(),
  options: LoadOptions = {},
): Promise<Drill[]> {
  const entries = await readCatalogueDir(dir);
  const files = entries.filter((f) => /\.ya?ml$/.test(f)).sort();
  return Promise.all(files.map((f) => loadDrillFile(join(dir, f), options)));
}

/** One drill of a catalogue by name (or a path to a drill file); an unknown name lists the known ones. */
export async function findDrill(
  nameOrFile: string,
  dir: string = defaultCatalogueDir(),
  options: LoadOptions = {},
): Promise<Drill> {
  if (/\.ya?ml$/.test(nameOrFile)) return loadDrillFile(nameOrFile, options);
  const entries = await readCatalogueDir(dir);
  const file = entries.find((f) => f === `${nameOrFile}.yaml` || f === `${nameOrFile}.yml`);
  if (!file) {
    throw new UsageError(`no drill named "${nameOrFile}" in ${displayPath(dir)}.`, {
      hint: `Known drills: ${namesIn(entries).join(', ') || 'none'}. Run \`gitops-lab drill\` to list them.`,
    });
  }
  return loadDrillFile(join(dir, file), options);
}
