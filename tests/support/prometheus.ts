/**
 * Starts a real Prometheus (Debian package `prometheus`, /usr/bin/prometheus) for tests: a temporary config
 * scraping the given static targets every second with their labels, a temporary storage dir, a free port on
 * 127.0.0.1. `stop()` ends the process (SIGTERM, then SIGKILL) and deletes the directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const prometheusBinary = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const prometheusAvailable = existsSync(prometheusBinary);
export const prometheusInstallHint =
  'install it with `sudo apt-get install -y --no-install-recommends prometheus` (then `sudo systemctl disable --now prometheus`), or set PROMETHEUS_BIN';

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

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function config(targets: ScrapeTarget[], scrapeIntervalSeconds: number): string {
  const lines = [
    'global:',
    `  scrape_interval: ${scrapeIntervalSeconds}s`,
    `  evaluation_interval: ${scrapeIntervalSeconds}s`,
    'scrape_configs:',
    '  - job_name: docqa',
    `    scrape_interval: ${scrapeIntervalSeconds}s`,
    `    scrape_timeout: ${scrapeIntervalSeconds}s`,
    '    static_configs:',
  ];
  for (const target of targets) {
    lines.push(`      - targets: [${JSON.stringify(target.address)}]`);
    lines.push('        labels:');
    for (const [k, v] of Object.entries(target.labels)) lines.push(`          ${k}: ${JSON.stringify(v)}`);
  }
  return `${lines.join('\n')}\n`;
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
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, config(options.targets, options.scrapeIntervalSeconds ?? 1));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    let output = '';
    const child: ChildProcess = spawn(
      prometheusBinary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, `data-${attempt}`)}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=1h',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      output += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      output += d;
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const url = `http://127.0.0.1:${port}`;
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killed = await Promise.race([
          exited.then(() => true),
          new Promise((r) => setTimeout(() => r(false), 5000)),
        ]);
        if (!killed) {
          child.kill('SIGKILL');
          await exited;
        }
      }
    };
    try {
      await waitFor('Prometheus to be ready', options.startTimeoutMs ?? 30_000, async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${output}`);
        const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
        await response.arrayBuffer();
        return response.ok ? true : undefined;
      });
      return {
        url,
        log: () => output,
        stop: async () => {
          await stop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      lastError = new Error(`${String(error)}\n${output}`);
      await stop();
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
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
