/** The incident note every run leaves: drills/reports/<timestamp>-<name>.md, written atomically. */
import { join } from 'node:path';
import { writeFileAtomic } from '../../atomic-write.js';
import { formatSpeed } from '../simulate/speed.js';
import { formatDuration } from './duration.js';
import type { DrillJournal, ProbeCheck } from './journal.js';

const verdictText: Record<DrillJournal['status'], string> = {
  completed: 'PASSED: the expected behaviour was observed and the steady state holds again after recovery.',
  failed: 'FAILED',
  aborted: 'ABORTED',
  interrupted: 'INTERRUPTED',
};

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function checkTable(check: ProbeCheck | null): string {
  if (!check) return '_not checked_\n';
  const rows = check.probes.map(
    (p) => `| ${p.ok ? 'ok' : 'FAIL'} | ${escapeCell(p.description)} | ${escapeCell(p.detail)} |`,
  );
  return ['| result | probe | observed |', '|---|---|---|', ...rows, ''].join('\n');
}

export function renderReport(journal: DrillJournal): string {
  const lines: string[] = [];
  const sim = journal.simulated;
  lines.push(`# Drill report: ${journal.title}${sim ? ' (simulated)' : ''}`, '');
  lines.push(`- drill: \`${journal.drill}\` (${journal.mode === 'recover' ? 'recovery run' : 'full run'})`);
  if (sim) {
    lines.push(
      `- lab: simulated (\`gitops-lab up --simulate\`) at ${formatSpeed(sim.speed)} speed; every time below is simulated time`,
    );
  }
  lines.push(`- started: ${journal.started}`);
  lines.push(`- duration: ${formatDuration(journal.duration_ms)}`);
  lines.push(
    `- status: **${journal.status}**${journal.deviated ? ' (deviated: the steady state did not come back)' : ''}`,
  );
  lines.push(`- runbook: ${journal.runbook}`, '');
  lines.push('## Hypothesis', '', journal.hypothesis, '');
  lines.push('### Steady state before', '', checkTable(journal.steady_states.before));
  lines.push('## Timeline', '', '| time | +t | phase | event |', '|---|---|---|---|');
  for (const e of journal.timeline) {
    lines.push(
      `| ${e.at.slice(11, 19)} | +${formatDuration(e.offset_ms)} | ${e.phase} | ${escapeCell(e.message)} |`,
    );
  }
  lines.push('', '## Observations', '');
  if (journal.observe) {
    for (const x of journal.observe.expectations) {
      lines.push(`- ${x.met ? 'met' : '**not met**'}: ${x.statement}. ${x.detail}`);
    }
    for (const [probe, samples] of Object.entries(journal.observe.samples)) {
      const values = samples.map((s) => (s.value === undefined ? '-' : String(s.value)));
      lines.push(
        `- \`${probe}\`: ${samples.length} samples: ${values.slice(0, 60).join(' ')}${values.length > 60 ? ' ...' : ''}`,
      );
    }
    for (const [probe, seen] of Object.entries(journal.observe.changes ?? {})) {
      const values = seen.map((s) => (s.value === undefined ? '-' : String(s.value)));
      lines.push(
        `- \`${probe}\`, every value the watch saw (${seen.length}): ${values.slice(0, 60).join(' ')}${values.length > 60 ? ' ...' : ''}`,
      );
    }
  } else {
    lines.push('_The observe phase did not run._');
  }
  if (journal.rollback.length > 0) {
    lines.push('', '### Rollback', '');
    for (const a of journal.rollback)
      lines.push(`- ${a.status === 'ok' ? 'ok' : '**failed**'}: ${a.description}: ${a.detail}`);
  }
  lines.push('', '### Steady state after recovery', '', checkTable(journal.steady_states.after));
  lines.push(
    '## Verdict',
    '',
    `**${verdictText[journal.status]}**${journal.reason ? ` ${journal.reason}.` : ''}`,
    '',
  );
  lines.push('## Lesson', '', journal.teaches, '');
  lines.push('## Fix', '', journal.fix, '', `See ${journal.runbook} for the runbook.`, '');
  return lines.join('\n');
}

function stamp(iso: string): string {
  return iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Writes the report into `dir` (created if needed) and returns its path. */
export async function writeReport(journal: DrillJournal, dir: string): Promise<string> {
  const file = join(
    dir,
    `${stamp(journal.started)}-${journal.drill}${journal.mode === 'recover' ? '-recover' : ''}.md`,
  );
  await writeFileAtomic(file, renderReport(journal), { createFolder: true });
  return file;
}
