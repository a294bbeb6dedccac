/**
 * In the live simulated lab the HPA reads what metrics-server would: the real doc-QA processes' CPU (from /proc),
 * shared among the pods a process stands in for. Traffic to the real service shows in the HPA's status. Bounded in
 * requests and in the lab's (scaled) time; nothing asserts wall time.
 */
import { describe, expect, it } from 'vitest';
import { sleep } from '../../../../src/lab/clock.js';
import { milliValue } from '../../../../src/lab/sim/quantity.js';
import { liveLabs } from '../../../support/live-lab.js';

const SPEED = 10;

const { start } = liveLabs(SPEED);

interface CpuStatus {
  currentMetrics?: Array<{ resource?: { name: string; current?: { averageValue?: string } } }>;
}

describe('the HPA in the live simulated lab', { timeout: 180_000 }, () => {
  it("reads the real doc-QA process's CPU: at rest it is low; traffic raises it above half the pods' request", async () => {
    const { lab, clock } = await start({ prometheusBinary: false });
    const url = lab.live?.endpoints()[0]?.url;
    expect(url).toBeDefined();
    const cpu = () => {
      const status = lab.cluster.get('autoscaling/v2', 'HorizontalPodAutoscaler', 'docqa', 'docqa')?.status;
      const value = (status as CpuStatus | undefined)?.currentMetrics?.[0]?.resource?.current?.averageValue;
      return value === undefined ? undefined : milliValue(value);
    };
    // At rest first: the process's start-up (indexing its corpus) is behind it. Then traffic: four clients asking
    // in a loop keep the process busy, far above half a pod's 100m request.
    const end = clock.now() + 10 * 60_000;
    while ((cpu() ?? 100) >= 20 && clock.now() < end) await sleep(clock, 5_000);
    expect(cpu(), 'the idle process').toBeLessThan(20);
    let busy = true;
    let sent = 0;
    const load = async () => {
      while (busy && sent < 50_000) {
        sent++;
        await fetch(`${url}/v1/ask`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ question: `How does the HPA scale the doc-QA service? (${sent})` }),
        }).then((r) => r.arrayBuffer());
      }
    };
    const workers = Array.from({ length: 4 }, load);
    let busiest = 0;
    while (busiest <= 50 && clock.now() < end + 10 * 60_000 && sent < 50_000) {
      await sleep(clock, 5_000);
      busiest = Math.max(busiest, cpu() ?? 0);
    }
    busy = false;
    await Promise.all(workers);
    expect(busiest, `after ${sent} asks`).toBeGreaterThan(50);
  });
});
