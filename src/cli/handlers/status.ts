/**
 * `gitops-lab status`: collects the lab's status (src/lab/status) and renders it; exit 0 healthy (or a change in
 * progress), 1 degraded, 3 no lab.
 */
import { z } from 'zod';
import { sleep, systemClock } from '../../lab/clock.js';
import { humanDuration } from '../../lab/sim/printers/duration.js';
import { resolveLab, simQueryRewrite } from '../../lab/simulate/connect.js';
import { collectStatus, type LabStatus, outOfSyncText, rolloutPhaseFine } from '../../lab/status/index.js';
import { contextOption } from '../option-schemas.js';
import {
  defaultStreams,
  formatTable,
  isInteractive,
  type OutputStreams,
  paint,
  writeLine,
} from '../output.js';
import { parseOptions } from '../validate.js';
import { formatSpeed, timeOfDay } from '../views/sim-time.js';

/** The least wall time between two refreshes of `--watch`, however fast the simulated lab runs. */
const minRefreshWallMs = 200;

const StatusOptionsSchema = z.object({
  json: z.boolean().default(false),
  watch: z.boolean().default(false),
  interval: z.coerce
    .number({ error: 'expected a number of seconds from 1 to 3600' })
    .min(1, { error: 'expected a number of seconds from 1 to 3600' })
    .max(3600, { error: 'expected a number of seconds from 1 to 3600' })
    .default(5),
  context: contextOption,
  prometheus: z.string().trim().url({ error: 'expected a URL like http://127.0.0.1:9090' }).optional(),
});

const pct = (v?: number) => (v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);

/** How long ago the app last synced, as kubectl writes ages ("23m ago"), at the status's own time (simulated time on the simulated lab). */
function lastSyncText(lastSync: string | undefined, checkedAt: string): string {
  const at = lastSync ? Date.parse(lastSync) : Number.NaN;
  if (Number.isNaN(at)) return '–';
  return `${humanDuration(Date.parse(checkedAt) - at)} ago`;
}

export function renderStatus(s: LabStatus, out: OutputStreams['stdout']): string {
  const color = (text: string, good: boolean) => paint(good ? 'green' : 'red', text, out);
  const lines: string[] = [];
  lines.push(
    `${paint('bold', 'Lab', out)} ${s.context}: ${verdictText(s, out)}${s.simulated ? paint('magenta', ` · ${simulatedText(s.simulated)}`, out) : ''}`,
  );
  lines.push('', paint('bold', 'Applications', out));
  lines.push(
    formatTable(
      ['NAME', 'SYNC', 'HEALTH', 'REVISION', 'LAST SYNC'],
      s.apps.map((a) => [
        a.name,
        color(a.sync, a.sync === 'Synced'),
        color(a.health, a.health === 'Healthy'),
        a.revision?.slice(0, 7) ?? '–',
        lastSyncText(a.lastSync, s.checkedAt),
      ]),
    ),
  );
  // Which resources make an app OutOfSync, from its status.resources.
  for (const a of s.apps) if (a.outOfSync) lines.push(`  ${a.name}: ${outOfSyncText(a.outOfSync)}`);
  // A sync under way or failed: Argo CD's phase and message (status.operationState).
  for (const a of s.apps)
    if (a.operation)
      lines.push(
        `  ${a.name}: sync ${a.operation.phase}${a.operation.message ? ` — ${a.operation.message}` : ''}`,
      );
  if (s.rollouts.length) {
    lines.push('', paint('bold', 'Rollouts', out));
    lines.push(
      formatTable(
        ['NAME', 'PHASE', 'STEP', 'CANARY WEIGHT', 'ANALYSIS'],
        s.rollouts.map((r) => [
          `${r.namespace}/${r.name}`,
          color(r.phase, rolloutPhaseFine(r.phase)),
          r.step ?? '–',
          canaryWeightText(r),
          r.analysis ? `${r.analysis.name} (${r.analysis.phase})` : '–',
        ]),
      ),
    );
    // Why a rollout stopped: its message (RolloutAborted: … carries the run's), and the run's own when it adds to it.
    for (const r of s.rollouts) {
      if (r.phase === 'Healthy' || r.phase === 'Progressing') continue;
      if (r.message) lines.push(`  ${r.namespace}/${r.name}: ${r.message}`);
      const why = r.analysis?.message;
      if (r.analysis && why && !r.message?.includes(why)) lines.push(`  analysis ${r.analysis.name}: ${why}`);
    }
  }
  if (s.hpas.length) {
    lines.push('', paint('bold', 'Autoscalers', out));
    lines.push(
      formatTable(
        ['NAME', 'TARGET', 'METRICS', 'CURRENT', 'DESIRED', 'MIN-MAX'],
        s.hpas.map((h) => [
          `${h.namespace}/${h.name}`,
          h.target,
          h.metrics,
          String(h.current ?? '–'),
          String(h.desired ?? '–'),
          `${h.min ?? '?'}-${h.max ?? '?'}`,
        ]),
      ),
    );
    for (const h of s.hpas) if (h.problem) lines.push(`  ${h.namespace}/${h.name}: ${h.problem}`);
  }
  if (s.unreadyPods.length) {
    lines.push('', paint('bold', 'Unready pods', out));
    lines.push(
      formatTable(
        ['POD', 'REASON'],
        s.unreadyPods.map((p) => [`${p.namespace}/${p.name}`, p.reason]),
      ),
    );
  }
  lines.push('', paint('bold', 'doc-QA answer quality (5m)', out));
  const q = s.quality;
  if (q.available)
    lines.push(
      `  grounded ${pct(q.groundedRatio)}  abstained ${pct(q.abstainRatio)}  errors ${pct(q.errorRatio)}  p95 ${q.p95LatencySeconds === undefined ? '–' : `${(q.p95LatencySeconds * 1000).toFixed(0)} ms`}  ${q.requestsPerSecond === undefined ? '' : `${q.requestsPerSecond.toFixed(2)} req/s`}`.trimEnd(),
    );
  if (q.available && q.requestsPerSecond === 0) {
    lines.push(
      "  no requests in the last 5 minutes: the lab's doc-QA traffic is the canary analysis' eval replay, during a rollout",
    );
    const service = s.simulated?.services?.['docqa-stable'];
    if (service) lines.push(`  send some: gitops-lab eval --target ${service} --repeat 5`);
  }
  // The client's reasons name the Prometheus they asked.
  if (!q.available) lines.push(`  not available: ${q.reason ?? `Prometheus at ${q.source} did not answer`}`);
  if (s.inProgress.length) {
    lines.push('', paint('bold', 'In progress', out));
    for (const p of s.inProgress) lines.push(`  ${paint('yellow', '…', out)} ${p}`);
  }
  if (s.problems.length) {
    lines.push('', paint('bold', 'Problems', out));
    for (const p of s.problems) lines.push(`  ${paint('red', '✗', out)} ${p}`);
  }
  return lines.join('\n');
}

/** "20%", or "33% (set 20%)" when the canary's share of the pods differs from what its step asks for. */
function canaryWeightText(r: LabStatus['rollouts'][number]): string {
  if (r.canaryWeight === undefined) return '–';
  const set = r.setWeight !== undefined && r.setWeight !== r.canaryWeight ? ` (set ${r.setWeight}%)` : '';
  return `${r.canaryWeight}%${set}`;
}

/** degraded (red) when something is wrong; else progressing (yellow) while a change is under way; else healthy. */
function verdictText(s: LabStatus, out: OutputStreams['stdout']): string {
  if (!s.healthy) return paint('red', 'degraded', out);
  return s.inProgress.length ? paint('yellow', 'progressing', out) : paint('green', 'healthy', out);
}

/** "simulated lab (20x) · simulated time 12:34:56". */
function simulatedText(sim: NonNullable<LabStatus['simulated']>): string {
  return `simulated lab (${formatSpeed(sim.speed)}) · simulated time ${timeOfDay(sim.time)}`;
}

export async function run(
  rawOptions: Record<string, unknown>,
  streams: OutputStreams = defaultStreams,
): Promise<void> {
  const options = parseOptions(StatusOptionsSchema, rawOptions, 'status');
  // The simulated lab when the context in use is gitops-lab-sim: its API server, its Prometheus and its clock.
  const { config, sim } = await resolveLab(options.context);
  const clock = sim?.clock ?? systemClock;
  // The sim's real Prometheus runs on wall time: the 5-minute quality windows are divided by the lab's speed.
  const rewriteQuery = await simQueryRewrite(sim, options.prometheus);
  const collect = () =>
    collectStatus(config, {
      prometheusUrl: options.prometheus ?? sim?.prometheusUrl,
      rewriteQuery,
      ...(sim ? { simulated: { speed: sim.speed, clock: sim.clock, services: sim.state.services } } : {}),
    });
  const show = (s: LabStatus) => {
    if (options.json) streams.stdout.write(`${JSON.stringify(s, null, options.watch ? undefined : 2)}\n`);
    else writeLine(renderStatus(s, streams.stdout), streams.stdout);
    process.exitCode = s.healthy ? 0 : 1;
  };
  if (!options.watch) {
    show(await collect());
    return;
  }
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  try {
    const tty = isInteractive(streams.stdout) && !options.json;
    while (!controller.signal.aborted) {
      const s = await collect();
      if (tty) streams.stdout.write('\u001b[2J\u001b[H');
      show(s);
      if (!tty && !options.json)
        writeLine(
          paint(
            'gray',
            `— refreshed ${s.simulated ? `${timeOfDay(s.checkedAt)} simulated time` : s.checkedAt}; Ctrl-C to stop`,
            streams.stdout,
          ),
          streams.stdout,
        );
      // --interval is lab time: against the simulated lab, seconds of its simulated time (so a refresh shows as
      // much of the lab's life as on a real lab), never more often than minRefreshWallMs of wall time.
      await Promise.all([
        sleep(clock, options.interval * 1000, controller.signal),
        sleep(systemClock, minRefreshWallMs, controller.signal),
      ]).catch(() => {});
    }
  } finally {
    process.removeListener('SIGINT', stop);
  }
}
