import { mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { defaultStateDir, gitPushUrl, gitRepoUrl, labContext, loadConfig } from '../../../src/lab/config.js';

function dirWith(yaml?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-lab-config-'));
  if (yaml !== undefined) writeFileSync(join(dir, 'gitops-lab.yaml'), yaml);
  return dir;
}

describe('LabConfig', () => {
  it('defaults: the kind cluster gitops-lab, a pinned node image, the documented ports', async () => {
    const config = await loadConfig({}, { cwd: dirWith() });
    expect(config.clusterName).toBe('gitops-lab');
    expect(config.kindNodeImage).toMatch(/^kindest\/node:v1\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
    expect(config.ports).toEqual({ argocd: 8090, grafana: 3000, git: 3080, prometheus: 9090 });
    // 8080 is `gitops-lab serve`'s port: the lab must not want it too.
    expect(Object.values(config.ports)).not.toContain(8080);
    expect(labContext(config)).toBe('kind-gitops-lab');
    expect(gitPushUrl(config)).toBe('http://127.0.0.1:3080/lab.git');
    expect(gitRepoUrl(config)).toBe('http://git-server.lab-git.svc.cluster.local/lab.git');
  });

  it('gitops-lab.yaml overrides fields, and flags override the file', async () => {
    const cwd = dirWith(
      'cluster: { name: my-lab }\nports: { git: 4000 }\ncontext: from-file\nkubeconfig: ~/kc\nstateDir: st\n',
    );
    const config = await loadConfig({ context: 'from-flag' }, { cwd });
    expect(config.clusterName).toBe('my-lab');
    expect(config.ports.git).toBe(4000);
    expect(config.ports.argocd).toBe(8090);
    expect(config.context).toBe('from-flag');
    expect(config.kubeconfig).toBe(join(homedir(), 'kc'));
    expect(config.stateDir).toBe(join(cwd, 'st'));
    expect(config.source).toBe(join(cwd, 'gitops-lab.yaml'));
  });

  it('--repo makes the repository both what Argo CD reads and where up pushes', async () => {
    const config = await loadConfig({ repo: 'https://github.com/me/lab.git' }, { cwd: dirWith() });
    expect(gitRepoUrl(config)).toBe('https://github.com/me/lab.git');
    expect(gitPushUrl(config)).toBe('https://github.com/me/lab.git');
  });

  it('the state folder follows GITOPS_LAB_STATE_DIR, then XDG_STATE_HOME', () => {
    expect(defaultStateDir({ GITOPS_LAB_STATE_DIR: '/x/y' })).toBe('/x/y');
    expect(defaultStateDir({ XDG_STATE_HOME: '/xdg' })).toBe('/xdg/gitops-lab');
    expect(defaultStateDir({})).toBe(join(homedir(), '.local', 'state', 'gitops-lab'));
  });

  it('a bad field is a usage error naming the file and the field', async () => {
    const cwd = dirWith('ports: { argocd: 99999 }\n');
    const error = await loadConfig({}, { cwd }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(`${join(cwd, 'gitops-lab.yaml')}: field ports.argocd`);
    const unknown = await loadConfig({}, { cwd: dirWith('clustr: {}\n') }).catch((e: unknown) => e);
    expect((unknown as Error).message).toContain('unknown field "clustr" (did you mean "cluster"?)');
    const portz = await loadConfig({}, { cwd: dirWith('portz: { git: 4000 }\n') }).catch((e: unknown) => e);
    expect((portz as Error).message).toContain('unknown field "portz" (did you mean "ports"?)');
    const nested = await loadConfig({}, { cwd: dirWith('ports: { grafna: 4000 }\n') }).catch(
      (e: unknown) => e,
    );
    expect((nested as Error).message).toContain(
      'field ports: unknown field "grafna" (did you mean "grafana"?)',
    );
    const far = await loadConfig({}, { cwd: dirWith('flavour: sweet\n') }).catch((e: unknown) => e);
    expect((far as Error).message).not.toContain('did you mean');
    const broken = await loadConfig({}, { cwd: dirWith('ports: [\n') }).catch((e: unknown) => e);
    expect((broken as Error).message).toMatch(/gitops-lab\.yaml.*is not valid YAML/);
  });

  it('any YAML content either loads or fails as a usage error, never anything else', async () => {
    const cwd = dirWith();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc
            .dictionary(
              fc.constantFrom('ports', 'cluster', 'git', 'timeouts', 'minMemoryGiB', 'other'),
              fc.jsonValue(),
            )
            .map((v) => JSON.stringify(v)),
        ),
        async (text) => {
          writeFileSync(join(cwd, 'gitops-lab.yaml'), text);
          try {
            const config = await loadConfig({}, { cwd });
            expect(config.ports.argocd).toBeGreaterThan(0);
          } catch (error) {
            expect(error).toBeInstanceOf(UsageError);
            expect((error as Error).message).toContain('gitops-lab.yaml');
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
