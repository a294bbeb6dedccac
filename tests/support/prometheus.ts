/**
 * Starts a real Prometheus (Debian package `prometheus`, /usr/bin/prometheus) for tests with the product's own
 * starter (src/lab/sim/live/prometheus-server.ts): a temporary config scraping the given static targets every second
 * with their labels, a temporary storage dir, a free port on 127.0.0.1. `stop()` ends the process (SIGTERM, then
 * SIGKILL) and deletes the directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findPrometheus,
  freePort,
  prometheusInstallHint,
  startRealPrometheus,
} from '../../src/lab/sim/live/prometheus-server.js';

export { freePort, prometheusInstallHint };
export const prometheusBinary = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const prometheusAvailable = findPrometheus(prometheusBinary) !== undefined;

export interface ScrapeTarget {
  /** host:port */
  address: string;
  labels: Record<string, string>;
}

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
  /** Prometheus' own output, for failure messages. */
  log(): string;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 500)));
  }
}

export async function startPrometheus(options: {
  targets: ScrapeTarget[];
  scrapeIntervalSeconds?: number;
  startTimeoutMs?: number;
}): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'gitops-lab-prometheus-'));
  try {
    const prometheus = await startRealPrometheus({
      binary: prometheusBinary,
      dir,
      startTimeoutMs: options.startTimeoutMs,
      jobs: [
        {
          name: 'docqa',
          intervalMs: (options.scrapeIntervalSeconds ?? 1) * 1000,
          static: options.targets.map((t) => ({ targets: [t.address], labels: t.labels })),
        },
      ],
    });
    return {
      url: prometheus.url,
      log: () => prometheus.output(),
      stop: async () => {
        await prometheus.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Polls until Prometheus reports every given target healthy. */
export async function waitForTargetsUp(url: string, count: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(`${count} scrape targets to be up`, timeoutMs, async () => {
    const response = await fetch(`${url}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(2000) });
    const body = (await response.json()) as { data?: { activeTargets?: { health?: string }[] } };
    const up = (body.data?.activeTargets ?? []).filter((t) => t.health === 'up').length;
    return up >= count ? true : undefined;
  });
}

/** Polls an instant query until `accept` holds for its vector's values. */
export async function waitForQuery(
  url: string,
  query: string,
  accept: (values: number[]) => boolean,
  timeoutMs = 30_000,
): Promise<number[]> {
  return waitFor(`${query} to satisfy the test`, timeoutMs, async () => {
    const response = await fetch(`${url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query }),
      signal: AbortSignal.timeout(2000),
    });
    const body = (await response.json()) as { data?: { result?: { value: [number, string] }[] } };
    const values = (body.data?.result ?? []).map((r) => Number(r.value[1]));
    return accept(values) ? values : undefined;
  });
}
