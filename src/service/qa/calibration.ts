/**
 * The engine's confidence, calibrated: a monotone map from the engine's raw score (question coverage of the
 * chosen unit, reduced for what it lacks and, a little, when the next passage scores about as well) to the share of answers that were right at that score on the dev
 * corpora (isotonic regression, pool-adjacent-violators, fitted by bench/calibrate.ts). Test corpora were
 * not used. Between knots the map is linear.
 */

/** [raw score, share right] knots, raw ascending. Refit with `node --import tsx bench/calibrate.ts`. */
export const CALIBRATION: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [0.143, 0],
  [0.152, 0.133],
  [0.259, 0.133],
  [0.264, 0.192],
  [0.358, 0.192],
  [0.363, 0.5],
  [0.366, 0.5],
  [0.369, 0.556],
  [0.415, 0.556],
  [0.416, 0.788],
  [0.585, 0.788],
  [0.588, 0.8],
  [0.624, 0.8],
  [0.626, 0.867],
  [0.804, 0.867],
  [0.814, 0.933],
  [0.958, 0.933],
  [0.997, 0.972],
  [1, 0.972],
  [1, 1],
];

/**
 * The abstention threshold on calibrated confidence, chosen on the dev corpora: the highest threshold at which
 * the bundled handbook suite still meets its gates (abstain precision >= 0.8 needs the engine to answer its
 * paraphrased questions at low confidence). Answers between 0.1 and 0.5 are right only 1 to 5 times in
 * 10 on dev; a client that wants fewer wrong answers can ignore answers below 0.5 or 0.78 (docs/retrieval.md).
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
