/** What the live lab reports to the HPA for its doc-QA pods: real CPU rates and resident memory, from /proc. */
import { describe, expect, it } from 'vitest';
import { CpuMeter, processCpuSeconds, processRssBytes } from '../../../../src/lab/sim/live/cpu.js';

describe('CpuMeter: a CPU rate from two samples, as metrics-server makes one from cumulative counters', () => {
  const meter = (samples: Array<number | undefined>, times: number[]) => {
    let i = 0;
    let t = 0;
    return {
      meter: new CpuMeter({
        now: () => times[t] ?? 0,
        read: () => samples[i++],
        minIntervalMs: 500,
      }),
      tick: () => {
        t++;
      },
    };
  };

  it('no rate from one sample; then CPU seconds over wall seconds, in millicores', () => {
    const { meter: m, tick } = meter([10, 10.25, 10.25], [0, 1000, 1200, 2000]);
    expect(m.millicores(7)).toBeUndefined();
    tick();
    expect(m.millicores(7)).toBe(250);
    // Within the minimum interval the last rate stands (one sample serves every pod of the process).
    tick();
    expect(m.millicores(7)).toBe(250);
    tick();
    expect(m.millicores(7)).toBe(0);
  });

  it('a process that went away has no rate, and starts over when it is back', () => {
    const { meter: m, tick } = meter([1, undefined, 5], [0, 1000, 2000]);
    m.millicores(3);
    tick();
    expect(m.millicores(3)).toBeUndefined();
    tick();
    expect(m.millicores(3)).toBeUndefined();
  });
});

describe('/proc', () => {
  it("reads this process's CPU time as Node counts it, to the clock tick", () => {
    const before = processCpuSeconds(process.pid);
    const start = process.cpuUsage();
    // Burn a fixed amount of CPU time (not of wall time): the same on an idle and a busy machine.
    let spent = 0;
    while (spent < 300_000) {
      const used = process.cpuUsage(start);
      spent = used.user + used.system;
    }
    const after = processCpuSeconds(process.pid);
    const used = process.cpuUsage(start);
    expect(before).toBeTypeOf('number');
    expect(after).toBeTypeOf('number');
    // Both count the whole process; /proc in ticks of 10 ms.
    const delta = (after as number) - (before as number);
    expect(Math.abs(delta - (used.user + used.system) / 1e6)).toBeLessThanOrEqual(0.03);
  });

  it('reads the resident memory of this process; nothing for a process that does not exist', () => {
    expect(processRssBytes(process.pid)).toBeGreaterThan(10 * 1024 * 1024);
    expect(processRssBytes(2 ** 30)).toBeUndefined();
    expect(processCpuSeconds(2 ** 30)).toBeUndefined();
  });
});
