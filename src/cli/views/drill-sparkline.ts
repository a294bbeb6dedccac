/** A one-line chart of numbers, for numeric probes in the drill view: ▁▂▃▄▅▆▇█. */
const bars = '▁▂▃▄▅▆▇█';

export function sparkline(values: number[], width = 60): string {
  const shown = values.slice(-width);
  if (shown.length === 0) return '';
  const min = Math.min(...shown);
  const max = Math.max(...shown);
  const span = max - min;
  return shown
    .map((v) => bars[span === 0 ? 3 : Math.round(((v - min) / span) * (bars.length - 1))] ?? bars[0])
    .join('');
}
