/** A simulated lab's speed as people read it: "20x", "0.5x" (the report, the views, the errors). */
export function formatSpeed(speed: number): string {
  return `${Number.parseFloat(speed.toPrecision(4))}x`;
}
