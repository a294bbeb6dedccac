/**
 * argo-vs-hpa end to end with a real Git repository: the drill commits, pushes and reverts through `git` (the
 * ClonedLabRepo the CLI uses), and the simulated repo-server reads the same bare repository. The rest is the
 * simulated lab on a virtual clock, at the drill's real 1x timing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDrill } from '../../../src/lab/drills/engine.js';
import { ClonedLabRepo } from '../../../src/lab/drills/lab-repo.js';
import { findDrill } from '../../../src/lab/drills/load.js';
import { writeReport } from '../../../src/lab/drills/report.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { startSimLab } from '../../../src/lab/sim/lab.js';
import { BareRepoSource } from '../../../src/lab/sim/repo.js';
import { which } from '../../../src/lab/tools/runner.js';
import { seedBareRepo } from '../../support/sim-lab.js';

const hasGit = (await which('git')) !== undefined;

// Generous limits: a hang guard for an overloaded machine; what the tests assert is virtual time.
describe.runIf(hasGit || process.env.CI === 'true')(
  'argo-vs-hpa with a real Git repository',
  { timeout: 180_000 },
  () => {
    let root: string;
    let bare: string;

    beforeAll(async () => {
      if (!hasGit) throw new Error('git is required in CI: apt-get install git');
      root = await mkdtemp(join(tmpdir(), 'gitops-lab-real-git-'));
      bare = await seedBareRepo(root);
    });
    afterAll(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it('commits the fight into Git, sees replicas flap, reverts and recovers', async () => {
      const clock = new VirtualClock();
      const lab = await startSimLab({
        clock,
        repo: new ClonedLabRepo(bare),
        source: new BareRepoSource(bare),
      });
      try {
        const drill = await findDrill('argo-vs-hpa');
        const journal = await runDrill(drill, { env: lab.env, clock });
        expect(journal.reason).toBeUndefined();
        expect(journal.status).toBe('completed');
        expect(journal.inject[0]?.detail).toMatch(/^committed [0-9a-f]{7} to .*lab\.git and pushed$/);
        expect(journal.observe?.expectations[0]?.detail).toMatch(/^switched \d+ times/);
        expect(journal.rollback[0]?.detail).toMatch(/^reverted [0-9a-f]{7} and pushed$/);
        const log = execFileSync('git', ['--git-dir', bare, 'log', '--format=%s', 'main'], {
          encoding: 'utf8',
        });
        expect(log.split('\n').slice(0, 2)).toEqual([
          'Revert "drill(argo-vs-hpa): pin docqa to 1 replica in Git and stop ignoring spec.replicas"',
          'drill(argo-vs-hpa): pin docqa to 1 replica in Git and stop ignoring spec.replicas',
        ]);
        const replicas = lab.cluster.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa')?.spec as {
          replicas?: number;
        };
        expect(replicas.replicas).toBe(2);
        const report = await readFile(await writeReport(journal, join(root, 'reports')), 'utf8');
        expect(report).toContain('**PASSED');
        expect(report).toContain('ignoreDifferences');
      } finally {
        await lab.close();
      }
    });
  },
);
