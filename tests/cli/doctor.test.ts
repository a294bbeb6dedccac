import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { installFakeBin } from '../support/fake-bin/index.js';

interface Report {
  ok: boolean;
  findings: Array<{ id: string; ok: boolean; version?: string; fix?: string; detail?: string }>;
  labCluster: { exists: boolean };
  modes: {
    kind: { available: boolean; needs: string[] };
    simulated: { available: boolean; needs: string[]; prometheus: 'real' | 'simulated' };
  };
}

describe('gitops-lab doctor', () => {
  it('--json lists every check with versions and exits 0 when everything is there', async () => {
    const bin = await installFakeBin({ extra: ['git'] });
    const cwd = mkdtempSync(join(tmpdir(), 'doctor-'));
    const result = await runCli(['doctor', '--json'], {
      cwd,
      env: { ...bin.env, GITOPS_LAB_STATE_DIR: join(cwd, 's') },
    });
    const report = JSON.parse(result.stdout) as Report;
    const byId = Object.fromEntries(report.findings.map((f) => [f.id, f]));
    expect(byId.docker?.version).toBe('27.3.1');
    expect(byId.kind?.version).toBe('0.29.0');
    expect(byId.kubectl?.version).toBe('1.33.1');
    expect(byId.memory?.ok).toBe(true);
    expect(report.findings.filter((f) => f.id.startsWith('port-'))).toHaveLength(4);
    expect(byId['docker-image-store']?.ok).toBe(true);
    // Ports may be taken on a shared machine and the inotify limits are the host's own (a warning, see
    // tests/lab/doctor/checks.test.ts); everything else must pass.
    const failing = report.findings.filter((f) => !f.ok && !f.id.startsWith('port-') && f.id !== 'inotify');
    expect(failing).toEqual([]);
    expect(result.code).toBe(report.ok ? 0 : 3);
    expect(report.modes.kind.available).toBe(report.ok);
    expect(report.modes.simulated).toMatchObject({ available: true, needs: [] });
    // No prometheus on the fake PATH: the simulated lab would simulate its metrics.
    expect(report.modes.simulated.prometheus).toBe('simulated');
  });

  it('without Docker and kind, says the kind lab needs them and the simulated lab is available', async () => {
    const bin = await installFakeBin({ tools: ['kubectl'], extra: ['git'] });
    const cwd = mkdtempSync(join(tmpdir(), 'doctor-'));
    const env = { ...bin.env, GITOPS_LAB_STATE_DIR: join(cwd, 's') };
    const text = await runCli(['doctor'], { cwd, env });
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/kind lab \(`gitops-lab up`\): needs docker, .*kind/);
    expect(text.stdout).toMatch(
      /simulated lab \(`gitops-lab up --simulate`\): available \(Prometheus: simulated/,
    );
    expect(text.stdout).toContain('`gitops-lab up --simulate` works now');
    const json = JSON.parse((await runCli(['doctor', '--json'], { cwd, env })).stdout) as Report;
    expect(json.modes.kind.available).toBe(false);
    expect(json.modes.kind.needs).toEqual(expect.arrayContaining(['docker', 'kind']));
    expect(json.modes.simulated.available).toBe(true);
  });

  it('exits 3 and says how to fix an old kind and a missing kubectl', async () => {
    const bin = await installFakeBin({ tools: ['kind', 'docker'], config: { kindVersion: '0.17.0' } });
    const cwd = mkdtempSync(join(tmpdir(), 'doctor-'));
    const result = await runCli(['doctor'], { cwd, env: bin.env });
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('kind 0.17.0 is older than 0.20.0');
    expect(result.stdout).toContain('kubectl is not installed');
    expect(result.stdout).toContain('fix: Install kubectl');
  });

  it("reports Docker's containerd image store and how up loads images with it", async () => {
    const bin = await installFakeBin({ extra: ['git'], config: { containerdImageStore: true } });
    const cwd = mkdtempSync(join(tmpdir(), 'doctor-'));
    const result = await runCli(['doctor', '--json'], {
      cwd,
      env: { ...bin.env, GITOPS_LAB_STATE_DIR: join(cwd, 's') },
    });
    const report = JSON.parse(result.stdout) as Report;
    const store = report.findings.find((f) => f.id === 'docker-image-store');
    expect(store).toMatchObject({ ok: true });
    expect(store?.detail).toContain('docker save + kind load image-archive');
  });
});
