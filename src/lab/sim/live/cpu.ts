/**
 * What metrics-server would report for the live lab's doc-QA pods, measured on their real processes: CPU as the
 * rate of the process's CPU time between two samples (as metrics-server turns the kubelet's cumulative counters into
 * a rate), memory as its resident set. CPU is physical: the rate is per wall second, whatever the lab's speed.
 * Linux only (/proc/<pid>/stat utime + stime in clock ticks of 1/100 s, USER_HZ; /proc/<pid>/status VmRSS);
 * elsewhere there is no sample and the caller falls back to its assumption.
 */
import { readFileSync } from 'node:fs';

const USER_HZ = 100;

/** CPU seconds (user + system) the process has used, or undefined when /proc cannot tell. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields after it are space-separated.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / USER_HZ : undefined;
  } catch {
    return undefined;
  }
}

/** Resident memory of the process in bytes, or undefined. */
export function processRssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface Sample {
  cpu: number;
  at: number;
}

export interface CpuMeterOptions {
  /** Wall time in ms (default performance.now). */
  now?: () => number;
  /** CPU seconds of a process (default /proc). */
  read?: (pid: number) => number | undefined;
  /** A new sample is taken when the last is at least this old (ms of wall time; default 500). */
  minIntervalMs?: number;
}

/** The CPU rate of processes in millicores, from the last two samples of each (none until there are two). */
export class CpuMeter {
  private readonly samples = new Map<number, [Sample | undefined, Sample]>();
  private readonly now: () => number;
  private readonly read: (pid: number) => number | undefined;
  private readonly minIntervalMs: number;

  constructor(options: CpuMeterOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.read = options.read ?? processCpuSeconds;
    this.minIntervalMs = options.minIntervalMs ?? 500;
  }

  millicores(pid: number): number | undefined {
    const at = this.now();
    const kept = this.samples.get(pid);
    if (!kept || at - kept[1].at >= this.minIntervalMs) {
      const cpu = this.read(pid);
      if (cpu === undefined) {
        this.samples.delete(pid);
        return undefined;
      }
      this.samples.set(pid, [kept?.[1], { cpu, at }]);
    }
    const [before, last] = this.samples.get(pid) ?? [];
    if (!before || !last || last.at <= before.at) return undefined;
    return Math.max(0, Math.round(((last.cpu - before.cpu) * 1_000_000) / (last.at - before.at)));
  }
}
