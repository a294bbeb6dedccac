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
  it("reads the real doc-QA process's CPU: traffic raises the pods' usage above the idle assumption", async () => {
    const { lab, clock } = await start({ prometheusBinary: false });
    const url = lab.live?.endpoints()[0]?.url;
    expect(url).toBeDefined();
    const cpu = () => {
      const status = lab.cluster.get('autoscaling/v2', 'HorizontalPodAutoscaler', 'docqa', 'docqa')?.status;
      const value = (status as CpuStatus | undefined)?.currentMetrics?.[0]?.resource?.current?.averageValue;
      return value === undefined ? undefined : milliValue(value);
    };
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
    const end = clock.now() + 10 * 60_000;
    // The idle assumption is 1m a container; a busy process shares its CPU among its pods.
    while ((cpu() ?? 0) <= 5 && clock.now() < end && sent < 50_000) await sleep(clock, 5_000);
    busy = false;
    await Promise.all(workers);
    expect(cpu(), `after ${sent} asks`).toBeGreaterThan(5);
  });
});
