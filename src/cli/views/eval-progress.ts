/**
 * A one-line progress bar for `gitops-lab eval` on a terminal (rewritten in place on stderr). Plain enough
 * that it needs no ink: a bar, a count and how many cases are failing so far.
 */
import type { Writable } from 'node:stream';
import { paint } from '../output.js';

export interface ProgressBar {
  update(done: number, total: number, failed: number): void;
  /** Clears the line so the summary starts on a clean one. */
  stop(): void;
}

export function createProgressBar(
  stream: Writable & { isTTY?: boolean; columns?: number },
  label: string,
): ProgressBar {
  let lastDraw = 0;
  let drawn = false;
  const draw = (done: number, total: number, failed: number) => {
    const columns = stream.columns ?? 80;
    const width = Math.max(10, Math.min(40, columns - 50));
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const failing = failed > 0 ? paint('red', ` · ${failed} failing`, stream) : '';
    stream.write(`\r\u001b[2K${label} ${paint('cyan', bar, stream)} ${done}/${total}${failing}`);
    drawn = true;
  };
  return {
    update(done, total, failed) {
      const now = Date.now();
      if (done < total && now - lastDraw < 50) return;
      lastDraw = now;
      draw(done, total, failed);
    },
    stop() {
      if (drawn) stream.write('\r\u001b[2K');
    },
  };
}
