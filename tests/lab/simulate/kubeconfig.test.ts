/**
 * The simulated lab's kube context in the user's kubeconfig. The rules are kind's (kubernetes-sigs/kind v0.29,
 * pkg/cluster/internal/kubeconfig/internal/kubeconfig/): which file (paths.go, cases after paths_test.go), merge
 * (merge.go: replace entries of the same name, set current-context), remove (remove.go: drop the three entries,
 * unset current-context when it was ours).
 */
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { PreconditionError } from '../../../src/errors.js';
import {
  addKubeconfigEntry,
  type KubeconfigEntry,
  kubeconfigFileForMerge,
  mergeKubeconfig,
  removeKubeconfigEntry,
  unmergeKubeconfig,
} from '../../../src/lab/simulate/kubeconfig.js';

const entry: KubeconfigEntry = {
  name: 'gitops-lab-sim',
  server: 'https://127.0.0.1:43210',
  ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  token: 'secret-token',
};

interface Config {
  clusters?: Array<{ name: string; cluster: Record<string, unknown> }>;
  users?: Array<{ name: string; user: Record<string, unknown> }>;
  contexts?: Array<{ name: string; context: Record<string, unknown> }>;
  'current-context'?: string;
  [key: string]: unknown;
}

const other = `apiVersion: v1
kind: Config
# the user's own comment
clusters:
- name: work
  cluster: {server: "https://work.example:6443", certificate-authority-data: QUJD}
contexts:
- name: work
  context: {cluster: work, user: alice, namespace: team}
users:
- name: alice
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: aws, args: [eks, get-token]}
current-context: work
preferences: {}
`;

describe('merging the simulated lab into a kubeconfig', () => {
  it('adds one cluster, user and context, makes it current, and keeps everything else with its comments', () => {
    const merged = mergeKubeconfig(other, entry);
    const config = parse(merged) as Config;
    expect(config['current-context']).toBe('gitops-lab-sim');
    expect(config.clusters?.map((c) => c.name)).toEqual(['work', 'gitops-lab-sim']);
    expect(config.users?.map((u) => u.name)).toEqual(['alice', 'gitops-lab-sim']);
    expect(config.contexts?.find((c) => c.name === 'gitops-lab-sim')?.context).toEqual({
      cluster: 'gitops-lab-sim',
      user: 'gitops-lab-sim',
    });
    const cluster = config.clusters?.find((c) => c.name === 'gitops-lab-sim')?.cluster;
    expect(cluster?.server).toBe(entry.server);
    expect(Buffer.from(String(cluster?.['certificate-authority-data']), 'base64').toString()).toBe(entry.ca);
    expect(config.users?.find((u) => u.name === 'gitops-lab-sim')?.user).toEqual({ token: 'secret-token' });
    expect(merged).toContain("# the user's own comment");
    const original = parse(other) as Config;
    expect(config.users?.[0]).toEqual(original.users?.[0]);
    expect(config.preferences).toEqual({});
  });

  it('replaces its own entries on a second merge instead of adding more (merge.go)', () => {
    const twice = parse(mergeKubeconfig(mergeKubeconfig(other, entry), { ...entry, token: 'new' })) as Config;
    expect(twice.users?.filter((u) => u.name === 'gitops-lab-sim')).toEqual([
      { name: 'gitops-lab-sim', user: { token: 'new' } },
    ]);
    expect(twice.clusters?.filter((c) => c.name === 'gitops-lab-sim')).toHaveLength(1);
  });

  it('starts a kubeconfig from nothing (an empty or missing file)', () => {
    const config = parse(mergeKubeconfig('', entry)) as Config;
    expect(config).toMatchObject({ apiVersion: 'v1', kind: 'Config', 'current-context': 'gitops-lab-sim' });
    expect(config.contexts).toHaveLength(1);
  });

  it('removing drops exactly its entries and unsets current-context only when it was the lab (remove.go)', () => {
    const removed = unmergeKubeconfig(mergeKubeconfig(other, entry), 'gitops-lab-sim');
    expect(removed.changed).toBe(true);
    const config = parse(removed.text) as Config;
    const original = parse(other) as Config;
    expect(config.clusters).toEqual(original.clusters);
    expect(config.users).toEqual(original.users);
    expect(config.contexts).toEqual(original.contexts);
    expect(config['current-context']).toBe('');
    expect(removed.text).toContain("# the user's own comment");
    // The user switched back to their context meanwhile: it stays current.
    const switched = mergeKubeconfig(other, entry).replace(
      'current-context: gitops-lab-sim',
      'current-context: work',
    );
    expect((parse(unmergeKubeconfig(switched, 'gitops-lab-sim').text) as Config)['current-context']).toBe(
      'work',
    );
    // Nothing of ours there: the text is returned as it was.
    expect(unmergeKubeconfig(other, 'gitops-lab-sim')).toEqual({ text: other, changed: false });
  });

  it('names the file and the problem when the kubeconfig is not one', () => {
    expect(() => mergeKubeconfig('clusters: [unclosed', entry, '/home/me/.kube/config')).toThrow(
      /\/home\/me\/\.kube\/config is not valid YAML/,
    );
    expect(() => mergeKubeconfig('- a\n- b\n', entry, 'kc')).toThrow(PreconditionError);
    expect(() => mergeKubeconfig('clusters: 3\n', entry, 'kc')).toThrow(/kc: `clusters` is not a list/);
  });

  it('merge then remove gives back the same clusters, users and contexts for any kubeconfig (property)', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9.@:_-]{0,20}$/).filter((n) => n !== entry.name);
    const value = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean());
    const fields = fc.dictionary(fc.stringMatching(/^[a-z][a-z-]{0,10}$/), value, { maxKeys: 3 });
    const named = (key: string) => fc.array(fc.record({ name, [key]: fields }), { maxLength: 4 });
    const kubeconfig = fc.record(
      {
        apiVersion: fc.constant('v1'),
        kind: fc.constant('Config'),
        clusters: named('cluster'),
        users: named('user'),
        contexts: named('context'),
        'current-context': fc.oneof(name, fc.constant('')),
        preferences: fields,
      },
      { requiredKeys: ['apiVersion', 'kind'] },
    );
    const styles = fc.constantFrom({}, { indentSeq: false }, { collectionStyle: 'flow' as const });
    fc.assert(
      fc.property(kubeconfig, styles, (config, style) => {
        const text = stringify(config, style);
        const merged = mergeKubeconfig(text, entry);
        const back = parse(unmergeKubeconfig(merged, entry.name).text) as Config;
        for (const section of ['clusters', 'users', 'contexts'] as const)
          expect(back[section] ?? []).toEqual((config as Config)[section] ?? []);
        expect(back.preferences).toEqual((config as Config).preferences);
        // The lab was made current; removing it unsets current-context (kind does the same) and restores nothing.
        expect(back['current-context']).toBe('');
      }),
      { numRuns: 150 },
    );
  });
});

describe('which kubeconfig file (paths.go pathForMerge)', () => {
  it('the explicit file wins, then $KUBECONFIG (the first file that exists, else the last), then ~/.kube/config', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kc-paths-'));
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    expect(kubeconfigFileForMerge('/explicit', { KUBECONFIG: a })).toBe('/explicit');
    expect(kubeconfigFileForMerge(undefined, { HOME: '/home/me' })).toBe('/home/me/.kube/config');
    expect(kubeconfigFileForMerge(undefined, { HOME: '/home/me', KUBECONFIG: '' })).toBe(
      '/home/me/.kube/config',
    );
    expect(kubeconfigFileForMerge(undefined, { KUBECONFIG: a })).toBe(a);
    // Neither exists: the last one (kubectl creates the last file of the chain).
    expect(kubeconfigFileForMerge(undefined, { KUBECONFIG: [a, b].join(delimiter) })).toBe(b);
    await writeFile(a, '');
    expect(kubeconfigFileForMerge(undefined, { KUBECONFIG: [a, b].join(delimiter) })).toBe(a);
    // Empty entries and duplicates are dropped.
    expect(kubeconfigFileForMerge(undefined, { KUBECONFIG: `${delimiter}${b}${delimiter}${b}` })).toBe(b);
  });
});

describe('editing the file', () => {
  it('creates a missing kubeconfig private to the user, keeps the mode of an existing one, and removes cleanly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kc-file-'));
    const fresh = join(dir, 'nested', 'config');
    await addKubeconfigEntry(fresh, entry);
    expect((await stat(fresh)).mode & 0o777).toBe(0o600);
    expect(await removeKubeconfigEntry(fresh, entry.name)).toBe(true);
    expect(await removeKubeconfigEntry(fresh, entry.name)).toBe(false);
    expect(await removeKubeconfigEntry(join(dir, 'missing'), entry.name)).toBe(false);

    const existing = join(dir, 'existing');
    await writeFile(existing, other, { mode: 0o640 });
    await addKubeconfigEntry(existing, entry);
    expect((await stat(existing)).mode & 0o777).toBe(0o640);
    expect(await removeKubeconfigEntry(existing, entry.name)).toBe(true);
    const back = parse(await readFile(existing, 'utf8')) as Config;
    expect(back.contexts).toEqual((parse(other) as Config).contexts);
  });

  it('refuses to edit a kubeconfig another program holds locked (<file>.lock), naming the lock', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kc-lock-'));
    const file = join(dir, 'config');
    await writeFile(`${file}.lock`, '');
    await expect(addKubeconfigEntry(file, entry)).rejects.toThrow(/config\.lock exists/);
  });
});
