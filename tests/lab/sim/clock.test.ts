import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type Clock, scaledClock, sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';

describe('VirtualClock', () => {
  it('jumps from timer to timer when everyone waits: an hour of sleeps takes no real hour', async () => {
    const clock = new VirtualClock({ start: 0 });
    const seen: number[] = [];
    await Promise.all([
      sleep(clock, 3_600_000).then(() => seen.push(clock.now())),
      sleep(clock, 60_000).then(() => seen.push(clock.now())),
    ]);
    expect(seen).toEqual([60_000, 3_600_000]);
    clock.stop();
  });

  it('fires timers due at the same instant in the order they were set', async () => {
    const clock = new VirtualClock({ start: 0 });
    const order: string[] = [];
    clock.setTimer(10, () => order.push('a'));
    clock.setTimer(5, () => order.push('b'));
    clock.setTimer(10, () => order.push('c'));
    await sleep(clock, 10);
    expect(order).toEqual(['b', 'a', 'c']);
    clock.stop();
  });

  it('stands still while a hold is open, then moves on', async () => {
    const clock = new VirtualClock({ start: 0 });
    let release = () => {};
    const work = clock.hold(new Promise<void>((r) => (release = r)));
    let fired = false;
    clock.setTimer(1000, () => {
      fired = true;
    });
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(fired).toBe(false);
    expect(clock.now()).toBe(0);
    release();
    await work;
    await sleep(clock, 1000);
    expect(fired).toBe(true);
    clock.stop();
  });

  it('stands still through a held HTTP round trip, then reaches the next timer', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const clock = new VirtualClock({ start: 0 });
    const timer = sleep(clock, 30_000).then(() => 'timer');
    const { port } = server.address() as AddressInfo;
    const answer = await clock.hold(fetch(`http://127.0.0.1:${port}/`).then((r) => r.text()));
    expect(answer).toBe('ok');
    expect(clock.now()).toBe(0);
    expect(await timer).toBe('timer');
    expect(clock.now()).toBe(30_000);
    clock.stop();
    server.close();
  });

  it('advance() moves time by hand, firing what is due on the way', () => {
    const clock = new VirtualClock({ start: 0 });
    const at: number[] = [];
    clock.setTimer(100, () => at.push(clock.now()));
    clock.setTimer(300, () => at.push(clock.now()));
    clock.advance(200);
    expect(at).toEqual([100]);
    expect(clock.now()).toBe(200);
    clock.stop();
  });
});

describe('scaledClock (wall time x speed, for up --simulate)', () => {
  it('runs timers and now() speed times faster than its base', () => {
    let t = 1000;
    const timers: Array<[number, () => void]> = [];
    const base: Clock = {
      now: () => t,
      setTimer: (ms, fn) => {
        timers.push([ms, fn]);
        return () => {};
      },
    };
    const fast = scaledClock(20, base);
    fast.setTimer(60_000, () => {});
    expect(timers[0]?.[0]).toBe(3000);
    t += 500;
    expect(fast.now() - 1000).toBe(10_000);
    expect(() => scaledClock(0, base)).toThrow(RangeError);
  });
});
