/**
 * A sentence encoder's vectors for the engine (issue 16, session 23's sentence-encoder study; docs/retrieval.md
 * §6). The engine stays synchronous: it asks a lookup for a text's vector and gets one only when the text was
 * embedded beforehand (bench/semantic-cache.ts embeds the dev sets' texts and keeps them on disk). Without a
 * lookup, or when the lookup has no vector for a text, the engine behaves as it does without the study.
 */

/** A text's sentence vector, when one was computed for it (undefined: none, and the engine ignores the signal). */
export interface SemanticLookup {
  vector(text: string): Float32Array | undefined;
}

/** The cosine of two vectors (0 when either is all zeros or their lengths differ). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
