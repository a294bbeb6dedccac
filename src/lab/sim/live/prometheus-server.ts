/**
 * A real Prometheus (Debian's `prometheus` package, /usr/bin/prometheus) run by the simulated lab and by the tests:
 * a generated config in `dir`, scrape targets from `file_sd_configs` files that the lab rewrites atomically as
 * targets come and go (Prometheus watches them: prometheus/discovery/file, fsnotify plus `refresh_interval`),
 * storage in `dir`, the HTTP API on 127.0.0.1 at a free port. Ready when `/-/ready` answers 200.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { writeFileAtomic } from '../../../atomic-write.js';
import { type GuardedChild, spawnGuarded, waitUntil } from './child.js';

/** The Prometheus binary: `explicit`, else $PROMETHEUS_BIN, else /usr/bin/prometheus, else `prometheus` on PATH. */
export function findPrometheus(explicit?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  if (env.PROMETHEUS_BIN) return existsSync(env.PROMETHEUS_BIN) ? env.PROMETHEUS_BIN : undefined;
  if (existsSync('/usr/bin/prometheus')) return '/usr/bin/prometheus';
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'prometheus');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export const prometheusInstallHint =
  'install it with `sudo apt-get install -y --no-install-recommends prometheus` (then `sudo systemctl disable --now prometheus`), or set PROMETHEUS_BIN';

/** A free TCP port on 127.0.0.1 (the kernel's pick; the caller retries if it is taken before it binds). */
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

export interface TargetGroup {
  /** host:port */
  targets: string[];
  labels: Record<string, string>;
}

export interface ScrapeJob {
  /** job_name */
  name: string;
  intervalMs: number;
  metricsPath?: string;
  params?: Record<string, string[]>;
  /** Fixed targets (static_configs); without them the job reads its targets from a file_sd file. */
  static?: TargetGroup[];
  /** relabel_configs, as Prometheus' YAML. */
  relabel?: Array<Record<string, unknown>>;
}

export interface RealPrometheus {
  url: string;
  child: GuardedChild;
  /** Replaces the targets of a file_sd job (atomically: Prometheus never reads half a file). */
  setTargets(job: string, groups: TargetGroup[]): Promise<void>;
  /** Prometheus' own output, for failure messages. */
  output(): string;
  close(): Promise<void>;
}

export interface StartPrometheusOptions {
  binary: string;
  dir: string;
  jobs: ScrapeJob[];
  /** Wall-time bound on start-up (default 30 s). */
  startTimeoutMs?: number;
  /** Lines Prometheus logs (warnings and errors only: it runs with --log.level=warn). */
  onLine?: (line: string) => void;
}

const seconds = (ms: number) => `${Math.max(1, Math.round(ms))}ms`;

function targetsFile(dir: string, job: string): string {
  return join(dir, 'targets', `${job.replace(/[^\w.-]+/g, '_')}.json`);
}

export function prometheusConfig(dir: string, jobs: ScrapeJob[]): string {
  const fastest = Math.min(...jobs.map((j) => j.intervalMs), 60_000);
  return stringify({
    global: { scrape_interval: seconds(fastest), evaluation_interval: seconds(fastest) },
    scrape_configs: jobs.map((job) => ({
      job_name: job.name,
      scrape_interval: seconds(job.intervalMs),
      scrape_timeout: seconds(job.intervalMs),
      metrics_path: job.metricsPath ?? '/metrics',
      ...(job.params ? { params: job.params } : {}),
      ...(job.static
        ? { static_configs: job.static }
        : {
            file_sd_configs: [
              {
                files: [targetsFile(dir, job.name)],
                refresh_interval: seconds(Math.max(job.intervalMs, 1000)),
              },
            ],
          }),
      ...(job.relabel ? { relabel_configs: job.relabel } : {}),
    })),
  });
}

export async function startRealPrometheus(options: StartPrometheusOptions): Promise<RealPrometheus> {
  const { dir } = options;
  await mkdir(join(dir, 'targets'), { recursive: true });
  for (const job of options.jobs) if (!job.static) await writeFileAtomic(targetsFile(dir, job.name), '[]\n');
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, prometheusConfig(dir, options.jobs));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawnGuarded(
      options.binary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=1d',
        '--log.level=warn',
      ],
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        logFile: join(dir, 'prometheus.log'),
        onLine: options.onLine,
      },
    );
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitUntil(`Prometheus (${options.binary})`, child, options.startTimeoutMs ?? 30_000, async () => {
        const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
        await response.arrayBuffer();
        return response.ok;
      });
      return {
        url,
        child,
        output: () => child.output(),
        setTargets: (job, groups) =>
          writeFileAtomic(targetsFile(dir, job), `${JSON.stringify(groups, null, 2)}\n`),
        close: () => child.stop(),
      };
    } catch (error) {
      lastError = error;
      await child.stop();
    }
  }
  throw lastError;
}
