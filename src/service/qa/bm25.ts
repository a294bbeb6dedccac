/**
 * A BM25 index with impact-ordered postings: each term's postings are sorted by their BM25 contribution, best
 * first, so a query can read only the best `perTerm` postings of each term. Query cost is then bounded by the
 * number of query terms, not by the corpus size (a 10,000-passage corpus costs about what a 100-passage one
 * does), at the price of missing passages that only weakly contain a very common term.
 */

export interface Bm25Options {
  /** Term-frequency saturation (BM25 k1). */
  k1?: number;
  /** Length normalisation (BM25 b). */
  b?: number;
}

export interface Bm25Hit {
  id: number;
  score: number;
}

interface Postings {
  ids: Int32Array;
  weights: Float64Array;
}

export class Bm25Index {
  readonly size: number;
  private readonly postings = new Map<string, Postings>();
  private readonly accumulator: Float64Array;

  /** `docs[i]` maps each term of document i to its (field-weighted) frequency. */
  constructor(docs: ReadonlyArray<ReadonlyMap<string, number>>, options: Bm25Options = {}) {
    const k1 = options.k1 ?? 1.2;
    const b = options.b ?? 0.75;
    this.size = docs.length;
    this.accumulator = new Float64Array(docs.length);
    const lengths = docs.map((doc) => {
      let length = 0;
      for (const tf of doc.values()) length += tf;
      return length;
    });
    const avgLength = lengths.reduce((sum, l) => sum + l, 0) / Math.max(1, docs.length) || 1;
    // Postings gathered as flat id / frequency lists per term (no tuple per posting: a 10,000-passage corpus
    // has a few hundred thousand postings).
    const lists = new Map<string, { ids: number[]; tfs: number[] }>();
    docs.forEach((doc, id) => {
      for (const [term, tf] of doc) {
        let list = lists.get(term);
        if (list === undefined) {
          list = { ids: [], tfs: [] };
          lists.set(term, list);
        }
        list.ids.push(id);
        list.tfs.push(tf);
      }
    });
    const norms = Float64Array.from(lengths, (length) => k1 * (1 - b + (b * length) / avgLength));
    for (const [term, list] of lists) {
      const n = list.ids.length;
      const idf = this.idfFor(n);
      const raw = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const tf = list.tfs[i] as number;
        raw[i] = (idf * (tf * (k1 + 1))) / (tf + (norms[list.ids[i] as number] as number));
      }
      const order = Array.from({ length: n }, (_, i) => i);
      if (n > 1) order.sort((x, y) => (raw[y] as number) - (raw[x] as number) || x - y);
      const ids = new Int32Array(n);
      const weights = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const at = order[i] as number;
        ids[i] = list.ids[at] as number;
        weights[i] = raw[at] as number;
      }
      this.postings.set(term, { ids, weights });
    }
  }

  private idfFor(df: number): number {
    return Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
  }

  /** How many documents hold the term. */
  df(term: string): number {
    return this.postings.get(term)?.ids.length ?? 0;
  }

  /** Every indexed term. */
  terms(): IterableIterator<string> {
    return this.postings.keys();
  }

  has(term: string): boolean {
    return this.postings.has(term);
  }

  /** Inverse document frequency of a term (of an unseen term: the highest possible). */
  idf(term: string): number {
    return this.idfFor(this.df(term));
  }

  /** Best documents for weighted query terms, reading at most `perTerm` postings of each term. */
  search(query: ReadonlyArray<{ term: string; boost: number }>, perTerm: number, limit: number): Bm25Hit[] {
    const touched: number[] = [];
    const acc = this.accumulator;
    for (const { term, boost } of query) {
      const list = this.postings.get(term);
      if (!list) continue;
      const end = Math.min(list.ids.length, perTerm);
      for (let i = 0; i < end; i++) {
        const id = list.ids[i] as number;
        if (acc[id] === 0) touched.push(id);
        acc[id] = (acc[id] ?? 0) + boost * (list.weights[i] as number);
      }
    }
    const hits = touched.map((id) => ({ id, score: acc[id] as number }));
    for (const id of touched) acc[id] = 0;
    hits.sort((x, y) => y.score - x.score || x.id - y.id);
    return hits.slice(0, limit);
  }
}
