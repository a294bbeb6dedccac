/**
 * The engine's confidence, calibrated: a monotone map from the engine's raw score (question coverage of the
 * chosen unit, reduced for what it lacks) to the share of answers that were right at that score on the dev
 * corpora (isotonic regression, pool-adjacent-violators, fitted by bench/calibrate.ts). Test corpora were
 * not used. Between knots the map is linear.
 */

/** [raw score, share right] knots, raw ascending. Refit with `node --import tsx bench/calibrate.ts`. */
export const CALIBRATION: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [0.121, 0],
  [0.152, 0.133],
  [0.237, 0.133],
  [0.264, 0.2],
  [0.349, 0.2],
  [0.349, 0.25],
  [0.371, 0.25],
  [0.375, 0.5],
  [0.383, 0.5],
  [0.383, 0.706],
  [0.425, 0.706],
  [0.426, 0.716],
  [0.633, 0.716],
  [0.635, 0.85],
  [0.835, 0.85],
  [0.838, 0.875],
  [0.893, 0.875],
  [0.896, 0.967],
  [1, 0.967],
  [1, 1],
];

/**
 * The abstention threshold on calibrated confidence, chosen on the dev corpora: the highest threshold at which
 * the bundled handbook suite still meets its gates (abstain precision >= 0.8 needs the engine to answer its
 * paraphrased questions at low confidence). Answers between 0.1 and 0.5 are right only 1 to 5 times in
 * 10 on dev; a client that wants fewer wrong answers can ignore answers below 0.5 or 0.85 (docs/retrieval.md).
 */
export const DEFAULT_MIN_CONFIDENCE = 0.1;

export function calibrate(raw: number): number {
  const knots = CALIBRATION;
  const first = knots[0] as readonly [number, number];
  if (raw <= first[0]) return first[1];
  for (let i = 1; i < knots.length; i++) {
    const [x1, y1] = knots[i] as readonly [number, number];
    if (raw <= x1) {
      const [x0, y0] = knots[i - 1] as readonly [number, number];
      return x1 === x0 ? y1 : y0 + ((y1 - y0) * (raw - x0)) / (x1 - x0);
    }
  }
  return (knots[knots.length - 1] as readonly [number, number])[1];
}
