/** How the CLI shows simulated time (`up --simulate --speed N`): "sim 12:03:41 (20x)". */
import type { Clock } from '../../lab/clock.js';
import { formatSpeed } from '../../lab/simulate/speed.js';

export { formatSpeed };

/** "12:03:41": the time of day of an instant (ms or ISO), UTC, as drill timelines show it. */
export function timeOfDay(at: number | string): string {
  return new Date(at).toISOString().slice(11, 19);
}

/** "sim 12:03:41 (20x)": the simulated lab's time now. */
export function simTimeLabel(clock: Clock, speed: number): string {
  return `sim ${timeOfDay(clock.now())} (${formatSpeed(speed)})`;
}
