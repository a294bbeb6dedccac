import { stripVTControlCharacters } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderStatus } from '../../src/cli/handlers/status.js';
import { formatTable } from '../../src/cli/output.js';
import type { LabStatus } from '../../src/lab/status/index.js';

const status: LabStatus = {
  context: 'kind-gitops-lab',
  healthy: false,
  problems: ['app guestbook is OutOfSync'],
  inProgress: [],
  apps: [
    {
      name: 'lab-root',
      sync: 'Synced',
      health: 'Healthy',
      revision: 'abcdef0123',
      lastSync: '2026-12-02T09:37:00Z',
    },
    { name: 'guestbook', sync: 'OutOfSync', health: 'Progressing', revision: 'abcdef0123' },
  ],
  rollouts: [],
  hpas: [],
  unreadyPods: [],
  quality: { available: false, source: 'http://127.0.0.1:9090', reason: 'refused' },
  checkedAt: '2026-12-02T10:00:00Z',
};

/** The column at which each header of a table line starts, as a person sees it. */
function headerColumns(line: string, headers: string[]): number[] {
  return headers.map((h) => line.indexOf(h));
}

describe('the Applications table', () => {
  it("shows each app's last sync as an age at the status's own time, as kubectl writes ages", () => {
    const lines = renderStatus(status, { isTTY: false } as never).split('\n');
    expect(lines.find((l) => l.startsWith('lab-root'))).toMatch(/ 23m ago$/);
    // An app that never synced has no age.
    expect(lines.find((l) => l.startsWith('guestbook'))).toMatch(/ –$/);
    // The simulated lab's status time is simulated: the age is counted on it, not on the wall clock.
    const later = renderStatus({ ...status, checkedAt: '2026-12-02T12:37:30Z' }, { isTTY: false } as never);
    expect(later.split('\n').find((l) => l.startsWith('lab-root'))).toMatch(/ 3h ago$/);
  });
});

describe('an app whose sync is under way or failed', () => {
  it("gets a line with Argo CD's operation phase and message under the table", () => {
    const syncing: LabStatus = {
      ...status,
      apps: [
        ...status.apps.slice(0, 1),
        {
          name: 'docqa',
          sync: 'OutOfSync',
          health: 'Progressing',
          operation: { phase: 'Running', message: 'waiting for healthy state of argoproj.io/Rollout/docqa' },
        },
        {
          name: 'guestbook',
          sync: 'OutOfSync',
          health: 'Healthy',
          operation: { phase: 'Failed', message: 'one or more objects failed to apply, reason: foo' },
        },
      ],
    };
    const lines = renderStatus(syncing, { isTTY: false } as never).split('\n');
    expect(lines).toContain('  docqa: sync Running — waiting for healthy state of argoproj.io/Rollout/docqa');
    expect(lines).toContain('  guestbook: sync Failed — one or more objects failed to apply, reason: foo');
    // An app whose last sync succeeded gets none.
    expect(lines.filter((l) => l.startsWith('  lab-root:'))).toEqual([]);
  });
});

describe('status on a colour terminal', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    delete process.env.NO_COLOR;
    process.env.FORCE_COLOR = '1';
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('lines columns up as seen on screen: colour codes take no width', () => {
    const coloured = renderStatus(status, { isTTY: true } as never);
    expect(coloured).toContain('\u001b[');
    const seen = stripVTControlCharacters(coloured).split('\n');
    const header = seen.find((l) => l.startsWith('NAME'));
    const row = seen.find((l) => l.startsWith('guestbook'));
    expect(header).toBeDefined();
    const [, syncCol, healthCol, revisionCol] = headerColumns(header ?? '', [
      'NAME',
      'SYNC',
      'HEALTH',
      'REVISION',
    ]);
    expect(row?.indexOf('OutOfSync')).toBe(syncCol);
    expect(row?.indexOf('Progressing')).toBe(healthCol);
    expect(row?.indexOf('abcdef0')).toBe(revisionCol);
  });

  it('the coloured table is the plain table with colour added', () => {
    const red = (t: string) => `\u001b[31m${t}\u001b[0m`;
    const rows = [
      ['a', red('OutOfSync'), 'x'],
      ['bbbbbb', 'Synced', 'y'],
    ];
    const plain = rows.map((r) => r.map((c) => stripVTControlCharacters(c)));
    expect(stripVTControlCharacters(formatTable(['N', 'S', 'X'], rows))).toBe(
      formatTable(['N', 'S', 'X'], plain),
    );
  });
});

describe('status of a rollout that stopped', () => {
  it('says why under the table: the Rollout message, and the AnalysisRun message when it adds to it', () => {
    const message = 'Metric "grounded-ratio" assessed Failed due to failed (2) > failureLimit (1)';
    const stopped = {
      ...status,
      rollouts: [
        {
          name: 'docqa',
          namespace: 'docqa',
          phase: 'Degraded',
          analysis: { name: 'docqa-abc-2-2', phase: 'Failed', message },
          message: `RolloutAborted: Rollout aborted update to revision 2: ${message}`,
        },
        {
          name: 'other',
          namespace: 'web',
          phase: 'Paused',
          analysis: {
            name: 'other-def-3-2',
            phase: 'Inconclusive',
            message: 'Metric "latency" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)',
          },
          message: 'InconclusiveAnalysis',
        },
        { name: 'fine', namespace: 'web', phase: 'Healthy', message: 'all good' },
      ],
    } as unknown as LabStatus;
    const lines = renderStatus(stopped, { isTTY: false } as never).split('\n');
    expect(lines).toContain(
      `  docqa/docqa: RolloutAborted: Rollout aborted update to revision 2: ${message}`,
    );
    expect(lines.some((l) => l.startsWith('  analysis docqa-abc-2-2'))).toBe(false);
    expect(lines).toContain('  web/other: InconclusiveAnalysis');
    expect(lines).toContain(
      '  analysis other-def-3-2: Metric "latency" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)',
    );
    expect(lines.some((l) => l.includes('all good'))).toBe(false);
  });

  it("shows each autoscaler's metrics as kubectl does, and why one cannot scale", () => {
    const withHpas = {
      ...status,
      hpas: [
        {
          name: 'docqa',
          namespace: 'docqa',
          target: 'Rollout/docqa',
          current: 2,
          desired: 2,
          min: 2,
          max: 6,
          metrics: 'cpu: 1%/70%',
        },
        {
          name: 'web',
          namespace: 'web',
          target: 'Deployment/web',
          current: 3,
          desired: 3,
          min: 1,
          max: 5,
          metrics: 'cpu: <unknown>/80%',
          problem: 'FailedGetResourceMetric: the HPA was unable to compute the replica count: no metrics',
        },
      ],
    } as unknown as LabStatus;
    const lines = renderStatus(withHpas, { isTTY: false } as never).split('\n');
    const header = lines.find((l) => l.startsWith('NAME') && l.includes('METRICS')) ?? '';
    const row = lines.find((l) => l.startsWith('docqa/docqa')) ?? '';
    expect(row.indexOf('cpu: 1%/70%')).toBe(header.indexOf('METRICS'));
    expect(lines).toContain(
      '  web/web: FailedGetResourceMetric: the HPA was unable to compute the replica count: no metrics',
    );
    expect(lines.some((l) => l.startsWith('  docqa/docqa:'))).toBe(false);
  });
});
