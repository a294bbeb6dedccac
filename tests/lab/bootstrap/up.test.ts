/**
 * `up` in-process against the simulated cluster on a virtual clock: its waits and time limits run on that clock,
 * so a 10-minute timeout passes in milliseconds and the result is the same on an idle and on a busy machine.
 */
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { printOutcome } from '../../../src/cli/handlers/up.js';
import { runUp, type UpResult } from '../../../src/lab/bootstrap/up.js';
import { loadConfig } from '../../../src/lab/config.js';
import { createKubeClient } from '../../../src/lab/kube/client.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { holding } from '../../../src/lab/sim/hold.js';
import { which } from '../../../src/lab/tools/runner.js';
import { type LabFixture, type LabFixtureOptions, startLabFixture } from '../../support/lab-fixture.js';

const gitAvailable = (await which('git')) !== undefined;

describe.runIf(gitAvailable || process.env.CI === 'true')(
  'up on the simulated cluster (virtual clock)',
  // Generous limits: a hang guard for an overloaded machine; what the tests assert is virtual time.
  { timeout: 180_000 },
  () => {
    let lab: LabFixture | undefined;
    let clock: VirtualClock;
    const saved = { ...process.env };

    beforeEach(() => {
      clock = new VirtualClock();
    });
    afterEach(async () => {
      clock.stop();
      await lab?.close();
      lab = undefined;
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    });

    async function up(options: LabFixtureOptions): Promise<{ result: UpResult; text: string }> {
      lab = await startLabFixture({ ...options, clock });
      // The runner finds the fake kind/kubectl/docker on PATH, as the CLI would.
      Object.assign(process.env, lab.env);
      const config = await loadConfig({}, { cwd: lab.cwd, env: process.env });
      const client = holding(createKubeClient({ kubeconfig: lab.fake.kubeconfigPath }), clock, [
        'watch',
        'waitFor',
        'waitForAll',
      ]);
      const result = await runUp({ config, env: process.env, clock, kube: () => client });
      let text = '';
      const stdout = new Writable({
        write(chunk, _encoding, done) {
          text += chunk;
          done();
        },
      });
      printOutcome(result, { stdout, stderr: stdout } as never);
      return { result, text };
    }

    it('a Git server whose container exits: up fails at git-server with the pod, its log and a hint', async () => {
      const started = clock.now();
      const { result, text } = await up({
        gitServer: {
          exits: {
            afterMs: 200,
            exitCode: 255,
            log: [
              "2026-01-01 00:00:00: (server.c.1940) opening errorlog '/dev/stderr' failed: Permission denied",
              '2026-01-01 00:00:00: (server.c.1942) aborting',
            ],
          },
          // lighttpd aborts before it listens: its readiness probe is refused, so the pod is never Ready.
          probe: () => ({ error: 'refused' }),
        },
      });
      expect(result.ok).toBe(false);
      expect(result.failedStep).toBe('git-server');
      expect((result.error as Error).message).toMatch(
        /Timed out after 600s waiting for Deployment lab-git\/git-server to be Available/,
      );
      // The wait ran its full 10 minutes of virtual time while the container crash-looped.
      expect(clock.now() - started).toBeGreaterThanOrEqual(600_000);
      expect(result.diagnosis?.conditions.join('\n')).toMatch(
        /pod git-server-\w+-\w{5}: CrashLoopBackOff \(\d+ restarts\)/,
      );
      expect(result.diagnosis?.logs?.[0]?.lines).toEqual([
        "2026-01-01 00:00:00: (server.c.1940) opening errorlog '/dev/stderr' failed: Permission denied",
        '2026-01-01 00:00:00: (server.c.1942) aborting',
      ]);
      expect(result.diagnosis?.hint).toMatch(
        /^The git-server container of pod git-server-\w+-\w{5} exits at start \(exit code 255\) and Kubernetes keeps restarting it: its log above says why\./,
      );
      expect(text).toMatch(
        /Log of git-server-\w+-\w{5} \(git-server, last run\):\n {2}.*opening errorlog '\/dev\/stderr' failed: Permission denied/,
      );
    });

    it('a Git server that runs: every step is done and the lab is ready', async () => {
      const { result } = await up({ gitServer: { log: ['server started'] } });
      expect(result.error).toBeUndefined();
      expect(result.ok).toBe(true);
    });

    it('a wait that times out names the failing object with its conditions', async () => {
      const { result, text } = await up({
        health: (app) => (app.metadata?.name === 'docqa' ? 'Degraded' : 'Healthy'),
      });
      expect(result.ok).toBe(false);
      expect(result.failedStep).toBe('apps');
      expect((result.error as Error).message).toContain(
        'Timed out after 600s waiting for Application objects in argocd to be Synced and Healthy',
      );
      expect(result.diagnosis?.object).toBe('Applications in argocd');
      expect(result.diagnosis?.conditions).toEqual([expect.stringMatching(/^docqa: Synced\/Degraded/)]);
      expect(text).toContain('Failing object: Applications in argocd');
    });
  },
);
