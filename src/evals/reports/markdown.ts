/**
 * A Markdown summary of an eval run, fit for a pull-request comment: verdict, metrics against their gates,
 * the failing cases and, with a baseline, what regressed or improved.
 */
import type { ReliabilityBin } from '../calibration.js';
import type { EvalResult } from '../evaluate.js';
import { METRIC_NAMES, type MetricName, metricValue } from '../metrics.js';

const MAX_LISTED = 30;

/** Makes text safe inside a Markdown table cell or list item (no pipes, no line breaks, no HTML). */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([`*_[\]])/g, '\\$1');
}

export function formatMetric(metric: MetricName | string, value: number | null): string {
  if (value === null) return 'n/a';
  if (metric.startsWith('latency_ms')) return `${value} ms`;
  return value.toFixed(3);
}

export function formatDelta(metric: MetricName, delta: number | null): string {
  if (delta === null) return '—';
  if (delta === 0) return '±0';
  const sign = delta > 0 ? '+' : '−';
  const magnitude = Math.abs(delta);
  return metric.startsWith('latency_ms') ? `${sign}${magnitude} ms` : `${sign}${magnitude.toFixed(3)}`;
}

function listed<T>(items: T[], render: (item: T) => string): string[] {
  const lines = items.slice(0, MAX_LISTED).map(render);
  if (items.length > MAX_LISTED) lines.push(`- … and ${items.length - MAX_LISTED} more`);
  return lines;
}

export function renderMarkdown(result: EvalResult): string {
  const out: string[] = [];
  const failedGates = result.gates.filter((gate) => !gate.ok);
  out.push(
    result.ok
      ? '## ✅ Doc-QA eval: all quality gates hold'
      : `## ❌ Doc-QA eval: ${failedGates.length} quality gate${failedGates.length === 1 ? '' : 's'} failed`,
  );
  out.push('');
  const runs = result.repeat > 1 ? ` × ${result.repeat} runs` : '';
  out.push(
    `**${result.passed}/${result.total}** cases passed${runs} against \`${escapeMarkdown(result.target)}\` (${result.mode}) in ${(result.duration_ms / 1000).toFixed(1)} s.`,
  );
  out.push('');

  const gateFor = new Map(result.gates.map((gate) => [gate.metric, gate]));
  const deltaFor = new Map((result.baseline?.metrics ?? []).map((delta) => [delta.metric, delta]));
  const withBaseline = result.baseline !== undefined;
  out.push(`| metric | value | gate |${withBaseline ? ' vs baseline |' : ''}`);
  out.push(`| --- | ---: | --- |${withBaseline ? ' ---: |' : ''}`);
  for (const metric of METRIC_NAMES) {
    const value = metricValue(result.metrics, metric);
    const gate = gateFor.get(metric);
    const gateCell =
      gate === undefined
        ? ''
        : `${gate.ok ? (gate.measured ? '✅' : '➖ not measured') : '❌'} ${gate.op} ${gate.threshold}`;
    const delta = withBaseline ? ` ${formatDelta(metric, deltaFor.get(metric)?.delta ?? null)} |` : '';
    out.push(`| ${metric} | ${formatMetric(metric, value)} | ${gateCell} |${delta}`);
  }
  out.push('');

  const failures = result.cases.filter((item) => !item.passed);
  if (failures.length > 0) {
    out.push(
      `<details${result.ok ? '' : ' open'}><summary>${failures.length} failing case${failures.length === 1 ? '' : 's'}</summary>`,
    );
    out.push('');
    out.push(...listed(failures, (item) => `- \`${item.id}\`: ${escapeMarkdown(item.reason ?? 'failed')}`));
    out.push('');
    out.push('</details>');
    out.push('');
  }

  out.push(...calibrationSection(result));

  const baseline = result.baseline;
  if (baseline !== undefined) {
    out.push('### Compared with the baseline');
    out.push('');
    if (baseline.regressed.length === 0 && baseline.improved.length === 0) {
      out.push('No case changed outcome.');
    }
    if (baseline.regressed.length > 0) {
      out.push(`**Regressed (${baseline.regressed.length})**: passed before, fail now`);
      out.push(
        ...listed(
          baseline.regressed,
          (item) => `- \`${item.id}\`${item.reason ? `: ${escapeMarkdown(item.reason)}` : ''}`,
        ),
      );
      out.push('');
    }
    if (baseline.improved.length > 0) {
      out.push(`**Improved (${baseline.improved.length})**: failed before, pass now`);
      out.push(...listed(baseline.improved, (item) => `- \`${item.id}\``));
      out.push('');
    }
    if (baseline.added.length > 0)
      out.push(`New cases: ${baseline.added.map((id) => `\`${id}\``).join(', ')}`);
    if (baseline.removed.length > 0) {
      out.push(`Cases no longer run: ${baseline.removed.map((id) => `\`${id}\``).join(', ')}`);
    }
    out.push('');
  }
  out.push(
    `<sub>gitops-lab eval · ${escapeMarkdown(result.timestamp)} · ${result.counts.runs} requests · p95 ${formatMetric('latency_ms.p95', result.metrics.latency_ms.p95)}</sub>`,
  );
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

function calibrationSection(result: EvalResult): string[] {
  const { calibration } = result;
  if (calibration === undefined || calibration.answered === 0) return [];
  return [
    '### Calibration',
    '',
    `Expected calibration error **${calibration.ece === null ? 'n/a' : calibration.ece.toFixed(3)}** over ${calibration.answered} answers: at confidence c, an answer should be right about c of the time (bars on the diagonal).`,
    '',
    reliabilitySvg(calibration.bins),
    '',
  ];
}

/**
 * A reliability diagram as inline SVG: one bar a confidence bin, its height the share of right answers, a
 * dot at the bin's mean confidence, the diagonal for perfect calibration, and each bin's answer count.
 */
export function reliabilitySvg(bins: ReliabilityBin[]): string {
  const size = 200;
  const pad = 30;
  const w = size / Math.max(1, bins.length);
  const y = (v: number) => (pad + size - v * size).toFixed(1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size + 2 * pad}" height="${size + 2 * pad}" viewBox="0 0 ${size + 2 * pad} ${size + 2 * pad}" font-family="sans-serif" font-size="9" role="img" aria-label="reliability diagram">`,
    `<rect x="${pad}" y="${pad}" width="${size}" height="${size}" fill="none" stroke="#999"/>`,
    `<line x1="${pad}" y1="${pad + size}" x2="${pad + size}" y2="${pad}" stroke="#999" stroke-dasharray="4 3"/>`,
  ];
  bins.forEach((bin, i) => {
    const x = pad + i * w;
    if (bin.accuracy !== null) {
      parts.push(
        `<rect x="${(x + 1).toFixed(1)}" y="${y(bin.accuracy)}" width="${(w - 2).toFixed(1)}" height="${(bin.accuracy * size).toFixed(1)}" fill="#4a90d9" fill-opacity="0.7"/>`,
      );
      parts.push(
        `<text x="${(x + w / 2).toFixed(1)}" y="${pad - 4}" text-anchor="middle">${bin.count}</text>`,
      );
    }
    if (bin.confidence !== null) {
      parts.push(`<circle cx="${(x + w / 2).toFixed(1)}" cy="${y(bin.confidence)}" r="2.5" fill="#d9534f"/>`);
    }
  });
  parts.push(
    `<text x="${pad + size / 2}" y="${pad + size + 20}" text-anchor="middle">confidence</text>`,
    `<text x="${pad - 18}" y="${pad + size / 2}" text-anchor="middle" transform="rotate(-90 ${pad - 18} ${pad + size / 2})">share right</text>`,
    `<text x="${pad}" y="${pad + size + 10}" text-anchor="middle">0</text>`,
    `<text x="${pad + size}" y="${pad + size + 10}" text-anchor="middle">1</text>`,
    '</svg>',
  );
  return parts.join('');
}
