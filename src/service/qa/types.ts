/**
 * The contract between the HTTP layer of the doc-QA service and its question-answering engine.
 * The engine is pure (no I/O after the corpus is loaded) and deterministic.
 */

/** A passage of the corpus: a heading's section or a paragraph of a Markdown document. */
export interface Passage {
  /** The document's file name relative to the corpus folder, e.g. `argo-cd-and-hpa.md`. */
  doc_id: string;
  /** Stable within a corpus, e.g. `argo-cd-and-hpa.md#3`. */
  passage_id: string;
  /** The document title followed by the heading path, e.g. `Argo CD and HPAs > Ignoring replicas`. */
  heading: string;
  /** The passage text (Markdown stripped to plain text, list items kept one per line). */
  text: string;
}

export interface CorpusDocument {
  doc_id: string;
  title: string;
  passages: number;
}

export interface Corpus {
  dir: string;
  documents: CorpusDocument[];
  passages: Passage[];
}

export interface Citation {
  doc_id: string;
  passage_id: string;
  text: string;
}

export interface ScoredPassage {
  passage: Passage;
  score: number;
}

export interface ExtractiveAnswer {
  status: 'answered' | 'insufficient_context';
  /** null exactly when status is insufficient_context. */
  answer: string | null;
  citations: Citation[];
  /** 0..1 */
  confidence: number;
}

export interface AnswerOptions {
  /** How many passages to retrieve and consider (1..10). */
  topK: number;
  /**
   * Fault injection for drills: answer from passages unrelated to the question while looking healthy
   * (status answered, valid schema, citations present).
   */
  wrongRetrieval?: boolean;
}

export interface QaEngine {
  readonly corpus: Corpus;
  /** Top passages for a question, best first. */
  retrieve(question: string, topK: number): ScoredPassage[];
  /** The extractive answer. */
  answer(question: string, options: AnswerOptions): ExtractiveAnswer;
  /**
   * Whether an answer is grounded: every cited passage exists in the corpus, the answer text is supported by
   * the cited passages, and they are relevant to the question. Used for `docqa_answers_grounded_total` and to
   * check generative answers.
   */
  isGrounded(question: string, answer: string, citations: Pick<Citation, 'passage_id'>[]): boolean;
}
