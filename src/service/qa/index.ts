/**
 * The extractive question-answering engine: BM25 retrieval (impact-ordered postings) with query expansion, a re-rank by
 * how much of the question a passage covers, answer-span selection, answer-type checks and abstention.
 * See docs/retrieval.md for the method.
 */

import {
  type AnswerType,
  detectAnswerType,
  nameCandidates,
  ownerMentions,
  type SpanTypes,
  spanTypes,
} from './answer-type.js';
import { Bm25Index } from './bm25.js';
import { analyze, compounds, STOP_WORDS, stem, synonymsOf } from './text.js';
import type {
  AnswerOptions,
  Citation,
  Corpus,
  ExtractiveAnswer,
  Passage,
  QaEngine,
  ScoredPassage,
} from './types.js';
import { loadWordRanks, specificity } from './word-rank.js';

/** The longest answer a lead-in sentence ending in a colon grows to with the lines it introduces. */
const LEAD_IN_MAX = 480;

export type * from './types.js';

export interface QaEngineOptions {
  /** Below this confidence the engine abstains (insufficient_context). */
  minConfidence?: number;
  /** Passages BM25 returns for re-ranking. */
  candidates?: number;
  /** Postings read per query term (bounds query cost on large corpora). */
  postingsPerTerm?: number;
  /** Minimum question coverage of the cited passages for an answer to count as relevant (isGrounded). */
  minRelevance?: number;
}

interface Span {
  text: string;
  /** Offsets of the span in the passage text. */
  start: number;
  end: number;
  /** The line (paragraph or list item) of the passage the span is in. */
  line: number;
  terms: Set<string>;
  /** The span's terms plus its section heading's. */
  context: Set<string>;
  types: SpanTypes;
  /** Words of two or more letters (a span of fewer than four is too short to be an answer on its own). */
  wordCount: number;
  /** Possible names in the span, lower-cased (see nameCandidates). */
  names: string[];
  /** Persons, roles and teams the span mentions, lower-cased. */
  owners: string[];
}

interface IndexedPassage {
  passage: Passage;
  /** Terms of heading and text. */
  terms: Set<string>;
  spans: Span[];
  /** Whether the section heading matches what each intent looks for ("Fix", "Why", "Symptoms"). */
  intentHits: Record<Exclude<Intent, null>, boolean>;
}

/** One word of the question with its index terms and synonyms. */
interface QueryGroup {
  /** Terms of the word: the whole first, then its parts (identifiers). */
  terms: string[];
  synonyms: string[];
  weight: number;
  /** Outside the corpus vocabulary and not a common word. */
  salientUnknown: boolean;
}

/** Answer types that are a value (a quantity, version or moment) rather than a name, owner or command. */
const VALUE_TYPES: ReadonlySet<AnswerType> = new Set<AnswerType>([
  'duration',
  'number',
  'version',
  'port',
  'percent',
  'money',
  'time',
]);

/** What kind of section a question is after, from its wording. */
type Intent = 'procedure' | 'cause' | 'symptom' | null;

const INTENTS: Array<[Exclude<Intent, null>, RegExp, RegExp]> = [
  [
    'cause',
    /^\s*why\b|\bwhat\s+causes\b|\bwhy\s+(?:does|do|is|are|did)\b|\breason\b/i,
    /\bwhy\b|\bcause|\breason|\bhow it works\b|\bconflict\b/i,
  ],
  [
    'symptom',
    /\bwhat\s+(?:will|would|do|should)\s+(?:i|we|you)\s+see\b|\bsymptoms?\b|\bhow\s+(?:do|can|would)\s+(?:i|we|you)\s+(?:know|tell|notice|spot)\b|\bwhat\s+does\s+it\s+look\s+like\b/i,
    /\bsymptom|\bsee\b|\bsigns?\b|\bnotice/i,
  ],
  [
    'procedure',
    /^\s*how\s+(?:do|can|should|would)\s+(?:i|we|you)\b|^\s*how\s+to\b|\bwhat\s+(?:should|do|can)\s+(?:i|we)\s+do\b|\bsteps?\s+to\b|\bhow\s+(?:do|can)\s+(?:i|we)\s+(?:fix|recover|stop|prevent|avoid)\b/i,
    /\bfix|\brecover|\bhow to\b|\bprevent|\bsteps?\b|\bresolv|\bsolution|\bworkaround|\bmitigat|\bremed/i,
  ],
];

function detectIntent(question: string): Intent {
  for (const [intent, asks] of INTENTS) if (asks.test(question)) return intent;
  return null;
}

function intentHitsOf(section: string): Record<Exclude<Intent, null>, boolean> {
  const hits = { cause: false, symptom: false, procedure: false };
  for (const [intent, , heading] of INTENTS) hits[intent] = heading.test(section);
  return hits;
}

interface Analysis {
  /** The question's words, lower-cased. */
  words: Set<string>;
  /** Their stems ("owns" → own), so that "the owning team" does not answer "which team owns ...". */
  stems: Set<string>;
  intent: Intent;
  groups: QueryGroup[];
  totalWeight: number;
  answerType: AnswerType | null;
  salientUnknown: string[];
  /** What a version question asks the version of ("which Argo CD version", "version of Vault"). */
  versionOf: QueryGroup[];
}

const DEFAULTS: Required<QaEngineOptions> = {
  minConfidence: 0.4,
  candidates: 30,
  minRelevance: 0.3,
  postingsPerTerm: 40,
};

const SENTENCE_END = /(?<=[.!?])\s+(?=[A-Z0-9"'(`])/;

function splitSpans(text: string): Array<{ text: string; start: number; end: number; line: number }> {
  const spans: Array<{ text: string; start: number; end: number; line: number }> = [];
  let offset = 0;
  for (const [lineNo, line] of text.split('\n').entries()) {
    let cursor = offset;
    for (const sentence of line.split(SENTENCE_END)) {
      const at = text.indexOf(sentence, cursor);
      const trimmed = sentence.trim();
      if (trimmed && at >= 0) {
        const start = at + sentence.indexOf(trimmed);
        spans.push({ text: trimmed, start, end: start + trimmed.length, line: lineNo });
        cursor = start + trimmed.length;
      }
    }
    offset += line.length + 1;
  }
  return spans;
}

/** The heading path below the document title. */
function sectionOf(heading: string): string {
  const at = heading.indexOf(' > ');
  return at < 0 ? '' : heading.slice(at + 3);
}

/** FNV-1a: a small deterministic string hash. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function clamp01(x: number): number {
  return Math.max(0, Math.min(1, x));
}

/** Why the engine ranked and answered as it did: for tests and tuning. */
export interface Explanation {
  answerType: AnswerType | null;
  intent: string | null;
  groups: Array<{ terms: string[]; weight: number; salient: boolean }>;
  top: Array<{ passage_id: string; score: number; coverage: number }>;
}

export interface ExplainableQaEngine extends QaEngine {
  explain(question: string): Explanation;
}

export function buildQaEngine(corpus: Corpus, options: QaEngineOptions = {}): ExplainableQaEngine {
  const settings = { ...DEFAULTS, ...options };
  // The everyday-word frequency list is needed by the first question: load it with the index, not on the clock.
  loadWordRanks();
  const indexed: IndexedPassage[] = [];
  const byId = new Map<string, IndexedPassage>();

  const headingCache = new Map<string, { all: string[]; section: string[] }>();
  // keyed by doc_id and heading
  const termCounts: Array<Map<string, number>> = [];
  for (const passage of corpus.passages) {
    const headingKey = `${passage.doc_id}\u0001${passage.heading}`;
    let heading = headingCache.get(headingKey);
    if (!heading) {
      heading = { all: analyze(passage.heading), section: analyze(sectionOf(passage.heading)) };
      // The file name names the topic too ("gitops-lab-cli.md").
      heading.all.push(...analyze(passage.doc_id.replace(/\.md$/i, '').replace(/[-_.]+/g, ' ')));
      headingCache.set(headingKey, heading);
    }
    const counts = new Map<string, number>();
    // The heading counts one and a half times: a passage under "Rolling back" is about rolling back.
    for (const term of heading.all) counts.set(term, (counts.get(term) ?? 0) + 1.5);
    const sectionTerms = heading.section;
    const spans = splitSpans(passage.text).map((span) => {
      const spanTerms = analyze(span.text);
      for (const term of spanTerms) counts.set(term, (counts.get(term) ?? 0) + 1);
      return {
        ...span,
        terms: new Set(spanTerms),
        context: new Set([...spanTerms, ...sectionTerms]),
        types: spanTypes(span.text),
        wordCount: (span.text.match(/[A-Za-z]{2,}/g) ?? []).length,
        names: nameCandidates(span.text),
        owners: ownerMentions(span.text),
      };
    });
    // A lead-in ("Switch with:") is answered together with what follows, so it has the follower's types.
    spans.forEach((span, i) => {
      const next = spans[i + 1];
      if (next && /:\s*$/.test(span.text)) {
        for (const key of Object.keys(span.types) as AnswerType[]) span.types[key] ||= next.types[key];
      }
    });
    const entry: IndexedPassage = {
      passage,
      terms: new Set(counts.keys()),
      spans,
      intentHits: intentHitsOf(sectionOf(passage.heading)),
    };
    indexed.push(entry);
    termCounts.push(counts);
    byId.set(passage.passage_id, entry);
  }
  const docTerms = new Map<string, Set<string>>();
  for (const entry of indexed) {
    const set = docTerms.get(entry.passage.doc_id) ?? new Set<string>();
    for (const term of entry.terms) set.add(term);
    docTerms.set(entry.passage.doc_id, set);
  }
  const bm25 = new Bm25Index(termCounts);
  termCounts.length = 0;
  const df = { has: (term: string): boolean => bm25.has(term) };
  const idf = (term: string): number => bm25.idf(term);
  const maxIdf = idf('\u0000never');
  // Words by their first five letters, to relate a question's "admin" to the corpus's "administrators".
  const byPrefix = new Map<string, string[]>();
  for (const term of bm25.terms()) {
    if (!/^[a-z]{5,}$/.test(term)) continue;
    const key = term.slice(0, 5);
    const list = byPrefix.get(key) ?? [];
    list.push(term);
    byPrefix.set(key, list);
  }
  const prefixRelatives = (term: string): string[] =>
    /^[a-z]{5,}$/.test(term)
      ? (byPrefix.get(term.slice(0, 5)) ?? []).filter(
          (t) => t !== term && (t.startsWith(term) || term.startsWith(t)),
        )
      : [];

  /**
   * A word the corpus does not use but whose two halves it does ("hostname" → host + name) gets the halves as
   * its parts.
   */
  function decompound(terms: string[], raw: string): string[] {
    const lower = raw.toLowerCase();
    if (terms.length !== 1 || df.has(terms[0] ?? '') || !/^[a-z]{6,}$/.test(lower)) return terms;
    for (let i = 3; i <= lower.length - 3; i++) {
      const head = analyze(lower.slice(0, i));
      const tail = analyze(lower.slice(i));
      if (head.length === 1 && tail.length === 1 && df.has(head[0] ?? '') && df.has(tail[0] ?? '')) {
        return [...terms, head[0] as string, tail[0] as string];
      }
    }
    return terms;
  }

  /**
   * The query group of one question word (null: a stop word outside the corpus). It depends only on the word
   * and the corpus, so it is computed once per word; groups are shared between questions and never mutated.
   */
  const wordGroups = new Map<string, { key: string | undefined; group: QueryGroup | null }>();
  const WORD_GROUPS_LIMIT = 20_000;

  function wordGroup(raw: string, isName: boolean): { key: string | undefined; group: QueryGroup | null } {
    const cacheKey = `${isName ? 'N' : 'w'}${raw}`;
    const cached = wordGroups.get(cacheKey);
    if (cached !== undefined) return cached;
    const result = computeWordGroup(raw, isName);
    if (wordGroups.size >= WORD_GROUPS_LIMIT) wordGroups.clear();
    wordGroups.set(cacheKey, result);
    return result;
  }

  function computeWordGroup(
    raw: string,
    isName: boolean,
  ): { key: string | undefined; group: QueryGroup | null } {
    const terms = decompound(analyze(raw), raw);
    const key = terms[0];
    if (key === undefined) return { key, group: null };
    const lower = raw.toLowerCase();
    const known = terms.filter((t) => df.has(t));
    const synonyms = terms.flatMap((t) => synonymsOf(t)).filter((t) => !terms.includes(t));
    if (!df.has(key)) synonyms.push(...prefixRelatives(key).slice(0, 5));
    const knownSynonyms = synonyms.filter((t) => df.has(t));
    // How specific the word is in everyday English: "happen" or "start" say little about the topic even
    // when the corpus (a few dozen passages) rarely uses them; identifiers and numbers are fully specific.
    // A name ("Datadog") is not split into everyday halves ("data" + "dog").
    const spec = /^[a-z]+$/.test(lower) ? specificity(lower, { compounds: !isName }) : 1;
    let weight: number;
    let salient = false;
    if (known.length > 0) {
      weight = Math.max(...known.map(idf)) * (0.35 + 0.65 * spec);
    } else if (STOP_WORDS.has(lower)) {
      return { key, group: null };
    } else if (/^\d[\d.,]*$/.test(lower)) {
      // A number the corpus never mentions ("a 300 GB database") describes the case, not the topic.
      weight = maxIdf * 0.3;
    } else {
      // A word the corpus never uses: an everyday word is weak evidence, a rare one strong. It can still be
      // covered by a synonym the corpus uses.
      weight = maxIdf * Math.max(0.1, spec);
      salient = spec >= 0.7 && knownSynonyms.length === 0;
    }
    return { key, group: { terms, synonyms, weight, salientUnknown: salient } };
  }

  function analyzeQuestion(question: string): Analysis {
    const groups: QueryGroup[] = [];
    const seen = new Set<string>();
    const salientUnknown: string[] = [];
    // "how long", "how many" ... are answered by the answer type, not by matching the words.
    const body = question.replace(
      /\bhow\s+(?:long|many|much|often|far|big|soon|quickly|frequently)\b/gi,
      ' ',
    );
    const tokens = [...compounds(body), ...(body.match(/[A-Za-z0-9]+(?:[._:/=-][A-Za-z0-9]+)*/g) ?? [])];
    // Capitalised words inside a sentence are names ("Datadog", "Alertmanager").
    const names = new Set<string>();
    for (const m of body.matchAll(/(^|[.!?:;]\s+|\s)([A-Z][a-z]+[A-Za-z]*)\b/g)) {
      if (/^\s$/.test(m[1] ?? '')) names.add(m[2] as string);
    }
    // An identifier the corpus does not know as a whole ("end-of-year") is taken word by word.
    const pieces: string[] = [];
    for (const raw of tokens) {
      const whole = analyze(raw);
      if (whole.length > 1 && !df.has(whole[0] ?? '')) {
        pieces.push(...raw.split(/[._:/=-]+|(?<=[a-z0-9])(?=[A-Z])/).filter((p) => p.length > 0));
      } else {
        pieces.push(raw);
      }
    }
    for (const raw of pieces) {
      const { key, group } = wordGroup(raw, names.has(raw));
      if (key === undefined || seen.has(key)) continue;
      seen.add(key);
      if (group === null) continue;
      if (group.salientUnknown) salientUnknown.push(raw.toLowerCase());
      groups.push(group);
    }
    const totalWeight = groups.reduce((sum, g) => sum + g.weight, 0);
    const intent = detectIntent(question);
    const words = new Set(
      question
        .toLowerCase()
        .match(/[\w#.-]+/g)
        ?.map((w) => w.replace(/[.-]+$/, '')) ?? [],
    );
    return {
      words,
      stems: new Set([...words].map(stem)),
      intent,
      groups,
      totalWeight,
      answerType: detectAnswerType(question),
      salientUnknown,
      versionOf: versionSubject(question),
    };
  }

  /**
   * The words naming what a version question is about: "which Argo CD version" → Argo, CD; "what version of
   * the Vault server" → Vault, server.
   */
  function versionSubject(question: string): QueryGroup[] {
    const match =
      /\bversions?\s+of\s+(?:the\s+|our\s+)?((?:[\w.-]+\s*){1,3})/i.exec(question) ??
      /\b(?:which|what)\s+((?:[\w.-]+\s+){1,3})versions?\b/i.exec(question);
    if (!match?.[1]) return [];
    const subject = match[1].split(/\s+/).filter((w) => /^[\w.-]+$/.test(w));
    const groups: QueryGroup[] = [];
    for (const raw of subject) {
      if (/^(?:do|does|did|is|are|we|i|you|the|a|an|run|runs|install|installs|use|uses)$/i.test(raw)) break;
      const group = wordGroup(raw, /^[A-Z]/.test(raw)).group;
      if (group !== null) groups.push(group);
    }
    return groups;
  }

  /** How much of a group a term set covers: 1 for the word or a part-complete identifier, 0.7 for a synonym. */
  function groupCoverage(group: QueryGroup, terms: Set<string>): number {
    const [whole, ...parts] = group.terms;
    if (whole !== undefined && terms.has(whole)) return 1;
    let best = 0;
    if (parts.length > 0) {
      let present = 0;
      for (const part of parts) if (terms.has(part)) present++;
      best = (0.8 * present) / parts.length;
    }
    if (best < 0.7) {
      for (const synonym of group.synonyms) {
        if (terms.has(synonym)) return 0.7;
      }
    }
    return best;
  }

  function coverage(analysis: Analysis, terms: Set<string>): number {
    if (analysis.totalWeight <= 0) return 0;
    let covered = 0;
    for (const group of analysis.groups) covered += group.weight * groupCoverage(group, terms);
    return covered / analysis.totalWeight;
  }

  /** Whether a span holds the kind of value the question asks for (names and owners: not the question's own). */
  function isTyped(analysis: Analysis, span: Span): boolean {
    const type = analysis.answerType;
    if (type === null) return true;
    if (!span.types[type]) return false;
    // A version is an answer only if it is the version of what the question names.
    if (type === 'version' && analysis.versionOf.length > 0) {
      let covered = 0;
      for (const group of analysis.versionOf) covered += groupCoverage(group, span.context);
      if (covered / analysis.versionOf.length < 0.5) return false;
    }
    if (type === 'name') return span.names.some((w) => !analysis.words.has(w));
    if (type === 'owner')
      return span.owners.some((w) => !analysis.words.has(w) && !analysis.stems.has(stem(w)));
    return true;
  }

  /** Coverage of the question by a span; words found only in its section heading count half. */
  function spanCoverage(analysis: Analysis, span: Span): number {
    if (analysis.totalWeight <= 0) return 0;
    let covered = 0;
    for (const group of analysis.groups) {
      const own = groupCoverage(group, span.terms);
      covered += group.weight * (own >= 1 ? 1 : Math.max(own, 0.5 * groupCoverage(group, span.context)));
    }
    return covered / analysis.totalWeight;
  }

  function rank(
    analysis: Analysis,
    limit: number,
  ): Array<{ entry: IndexedPassage; score: number; cov: number }> {
    const original = new Set(analysis.groups.flatMap((g) => g.terms));
    const queryTerms = [...new Set([...original, ...analysis.groups.flatMap((g) => g.synonyms)])].filter(
      (t) => df.has(t),
    );
    if (queryTerms.length === 0) return [];
    const top = bm25.search(
      queryTerms.map((term) => ({ term, boost: original.has(term) ? 1 : 0.4 })),
      settings.postingsPerTerm,
      settings.candidates,
    );
    const maxScore = top[0]?.score ?? 1;
    const ranked = top.map((r) => {
      const entry = indexed[r.id as number] as IndexedPassage;
      const cov = coverage(analysis, entry.terms);
      const intent = analysis.intent !== null && entry.intentHits[analysis.intent] ? 0.05 : 0;
      return { entry, cov, score: 0.35 * (r.score / maxScore) + 0.65 * cov + intent };
    });
    ranked.sort(
      (a, b) => b.score - a.score || a.entry.passage.passage_id.localeCompare(b.entry.passage.passage_id),
    );
    return ranked.slice(0, limit);
  }

  function retrieve(question: string, topK: number): ScoredPassage[] {
    const analysis = analyzeQuestion(question);
    return rank(analysis, Math.max(1, topK)).map((r) => ({ passage: r.entry.passage, score: r.score }));
  }

  function abstain(confidence: number): ExtractiveAnswer {
    return { status: 'insufficient_context', answer: null, citations: [], confidence: clamp01(confidence) };
  }

  function cite(entry: IndexedPassage): Citation {
    return { doc_id: entry.passage.doc_id, passage_id: entry.passage.passage_id, text: entry.passage.text };
  }

  function wrongAnswer(question: string, analysis: Analysis): ExtractiveAnswer {
    const related = new Set(analysis.groups.flatMap((g) => [...g.terms, ...g.synonyms]));
    const start = hash(question) % indexed.length;
    let pick: IndexedPassage | undefined;
    let fewest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < Math.min(indexed.length, 64); i++) {
      const entry = indexed[(start + i * 7919) % indexed.length] as IndexedPassage;
      if (entry.spans.length === 0) continue;
      let overlap = 0;
      for (const term of related) if (entry.terms.has(term)) overlap++;
      if (overlap < fewest) {
        fewest = overlap;
        pick = entry;
      }
      if (overlap === 0) break;
    }
    const span = pick?.spans[0];
    if (!pick || !span) return abstain(0);
    return { status: 'answered', answer: span.text, citations: [cite(pick)], confidence: 0.8 };
  }

  function answer(question: string, answerOptions: AnswerOptions): ExtractiveAnswer {
    const analysis = analyzeQuestion(question ?? '');
    if (analysis.groups.length === 0 || indexed.length === 0) return abstain(0);
    if (answerOptions.wrongRetrieval) return wrongAnswer(question, analysis);
    const topK = Math.max(1, Math.min(10, Math.floor(answerOptions.topK || 5)));
    const ranked = rank(analysis, Math.max(topK, 5));
    const best = ranked[0];
    if (!best) return abstain(0);

    let choice:
      | { entry: IndexedPassage; span: Span; index: number; score: number; typed: boolean; spanCov: number }
      | undefined;
    const bestScore = best.score;
    for (const candidate of ranked.slice(0, Math.max(3, Math.min(topK, 5)))) {
      if (candidate.score < bestScore * 0.6) break;
      const sectionBonus = analysis.intent !== null && candidate.entry.intentHits[analysis.intent] ? 0.08 : 0;
      const spans = candidate.entry.spans;
      for (let index = 0; index < spans.length; index++) {
        const span = spans[index] as Span;
        const spanCov = spanCoverage(analysis, span);
        const typed = isTyped(analysis, span);
        const wordCount = span.wordCount;
        const score =
          0.55 * spanCov +
          0.45 * candidate.score +
          sectionBonus +
          (analysis.intent === 'procedure' && span.types.command ? 0.1 : 0) +
          (wordCount < 4 ? -0.15 : 0) +
          (analysis.answerType ? (typed ? 0.15 : -0.2) : 0);
        if (!choice || score > choice.score)
          choice = { entry: candidate.entry, span, index, score, typed, spanCov };
      }
    }
    if (!choice) return abstain(0);

    const passageCov = coverage(analysis, choice.entry.terms);
    const docCov = coverage(analysis, docTerms.get(choice.entry.passage.doc_id) ?? choice.entry.terms);
    // Mostly the passage's coverage; partly its document's (the steps may not repeat the title's words).
    let confidence = 0.7 * passageCov + 0.3 * docCov;
    // Without the kind of value asked for (a duration, a version ...) the span cannot answer a value question;
    // for a name, owner or command the type check is looser, so it only halves the confidence.
    const valueQuestion = analysis.answerType !== null && VALUE_TYPES.has(analysis.answerType);
    if (!choice.typed) confidence *= valueQuestion ? 0.3 : 0.5;
    // A value (duration, number, version ...) answers the question only if its sentence is about the
    // question's subject: a span that shares little with the question cannot be trusted more than it covers.
    if (valueQuestion) {
      confidence = Math.min(confidence, choice.spanCov + 0.25);
    }
    if (analysis.salientUnknown.length > 0) confidence *= 0.6;
    confidence = clamp01(confidence);
    if (confidence < settings.minConfidence) return abstain(confidence);

    let text = choice.span.text;
    const spansOfPassage = choice.entry.spans;
    const next = spansOfPassage[choice.index + 1];
    const sameLine = next !== undefined && next.line === choice.span.line;
    if (next && /:\s*$/.test(text)) {
      // A lead-in ("add this to the Application:") is answered with what it introduces: the following lines
      // (a list or a snippet), as many as fit in LEAD_IN_MAX characters, at least one.
      let end = next.end;
      for (let i = choice.index + 2; i < spansOfPassage.length; i++) {
        const following = spansOfPassage[i] as Span;
        if (following.end - choice.span.start > LEAD_IN_MAX) break;
        end = following.end;
      }
      text = choice.entry.passage.text.slice(choice.span.start, end);
    } else if (next && (text.length < 40 || (sameLine && next.end - choice.span.start <= 320))) {
      text = choice.entry.passage.text.slice(choice.span.start, next.end);
    }
    return { status: 'answered', answer: text, citations: [cite(choice.entry)], confidence };
  }

  function isGrounded(
    question: string,
    answerText: string,
    citations: Pick<Citation, 'passage_id'>[],
  ): boolean {
    if (!answerText?.trim() || citations.length === 0) return false;
    const cited: IndexedPassage[] = [];
    for (const citation of citations) {
      const entry = byId.get(citation.passage_id);
      if (!entry) return false;
      cited.push(entry);
    }
    // One citation (the extractive engine's case): its term set as it is, without copying it per request.
    const union =
      cited.length === 1
        ? (cited[0] as IndexedPassage).terms
        : new Set(cited.flatMap((entry) => [...entry.terms]));
    const answerTerms = analyze(answerText);
    if (answerTerms.length === 0) return false;
    const supported = answerTerms.filter((t) => union.has(t)).length / answerTerms.length;
    if (supported < 0.8) return false;
    const analysis = analyzeQuestion(question ?? '');
    if (analysis.groups.length === 0) return false;
    return coverage(analysis, union) >= settings.minRelevance;
  }

  function explain(question: string): Explanation {
    const analysis = analyzeQuestion(question);
    return {
      answerType: analysis.answerType,
      intent: analysis.intent,
      groups: analysis.groups.map((g) => ({
        terms: [...g.terms],
        weight: Math.round(g.weight * 100) / 100,
        salient: g.salientUnknown,
      })),
      top: rank(analysis, 5).map((r) => ({
        passage_id: r.entry.passage.passage_id,
        score: Math.round(r.score * 1000) / 1000,
        coverage: Math.round(r.cov * 1000) / 1000,
      })),
    };
  }

  return { corpus, retrieve, answer, isGrounded, explain };
}
