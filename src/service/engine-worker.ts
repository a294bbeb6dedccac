/**
 * The engine thread (a worker_threads Worker started by engine-host.ts): it loads the corpus, builds the index
 * (`buildQaEngine`, one synchronous step that takes seconds on a large corpus) and answers questions, so none
 * of that CPU work runs on the HTTP server's event loop: health probes, socket reads and signals are never
 * queued behind it. It calls the QA engine through its public functions only.
 *
 * Messages in: arrays of EngineRequest (a batch: the host's calls of one event-loop turn). Messages out:
 * EngineEvent (skip, indexing, ready, failed) and arrays of EngineReply (one per request, a batch's at once).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type CorpusLimits, loadCorpus } from './corpus.js';
import { buildQaEngine } from './qa/index.js';
import type { Citation, ExtractiveAnswer, Passage, QaEngine } from './qa/types.js';

export interface EngineWorkerData {
  corpusDir: string;
  limits: CorpusLimits;
}

export type EngineRequest =
  | {
      id: number;
      op: 'answer';
      question: string;
      topK: number;
      wrongRetrieval: boolean;
      /** Date.now() when the ask was sent; an ask that waited over maxWaitMs for the thread is not answered. */
      sentAt: number;
      maxWaitMs: number;
    }
  | { id: number; op: 'retrieve'; question: string; topK: number }
  | { id: number; op: 'passages'; ids: string[] }
  | { id: number; op: 'grounded'; question: string; answer: string; ids: string[] };

export interface AnswerReply {
  answer: ExtractiveAnswer;
  grounded: boolean | undefined;
}

export type EngineReply =
  | { type: 'reply'; id: number; value: AnswerReply | Passage[] | boolean | 'expired' }
  | { type: 'reply-error'; id: number; message: string };

export type EngineEvent =
  | {
      type: 'skip';
      skip: { file: string; reason: 'outside_root' | 'not_regular' | 'binary'; detail: string };
    }
  | { type: 'indexing'; documents: number; passages: number }
  | {
      type: 'ready';
      documents: Array<{ doc_id: string; title: string; passages: number }>;
      passages: number;
    }
  | { type: 'failed'; name: string; message: string };

const port = parentPort;
if (!port) throw new Error('engine-worker.ts runs only as a worker thread (see engine-host.ts)');
const data = workerData as EngineWorkerData;

let engine: QaEngine | undefined;
const queued: EngineRequest[] = [];
/** Longest a computed reply waits for the rest of its batch (ms). */
const REPLY_EVERY_MS = 5;

function handle(request: EngineRequest, engine: QaEngine): EngineReply {
  try {
    switch (request.op) {
      case 'answer': {
        if (Date.now() - request.sentAt > request.maxWaitMs) {
          return { type: 'reply', id: request.id, value: 'expired' };
        }
        const answer = engine.answer(request.question, {
          topK: request.topK,
          wrongRetrieval: request.wrongRetrieval,
        });
        const grounded =
          answer.status === 'answered' && answer.answer !== null
            ? engine.isGrounded(request.question, answer.answer, answer.citations)
            : undefined;
        return { type: 'reply', id: request.id, value: { answer, grounded } };
      }
      case 'retrieve':
        return {
          type: 'reply',
          id: request.id,
          value: engine.retrieve(request.question, request.topK).map((s) => s.passage),
        };
      case 'passages': {
        const ids = new Set(request.ids);
        return {
          type: 'reply',
          id: request.id,
          value: engine.corpus.passages.filter((p) => ids.has(p.passage_id)),
        };
      }
      case 'grounded': {
        const citations: Pick<Citation, 'passage_id'>[] = request.ids.map((passage_id) => ({ passage_id }));
        return {
          type: 'reply',
          id: request.id,
          value: engine.isGrounded(request.question, request.answer, citations),
        };
      }
    }
  } catch (error) {
    return {
      type: 'reply-error',
      id: request.id,
      message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}

/**
 * Answers a batch and posts the replies as one message; on a slow batch (a large corpus, many asks) the
 * replies computed so far go out every REPLY_EVERY_MS, so early asks do not wait for the whole batch.
 */
const handleBatch = (batch: EngineRequest[], engine: QaEngine): void => {
  let replies: EngineReply[] = [];
  let since = performance.now();
  for (const request of batch) {
    replies.push(handle(request, engine));
    if (performance.now() - since >= REPLY_EVERY_MS) {
      port.postMessage(replies);
      replies = [];
      since = performance.now();
    }
  }
  if (replies.length > 0) port.postMessage(replies);
};

port.on('message', (batch: EngineRequest[]) => {
  if (engine) handleBatch(batch, engine);
  else queued.push(...batch);
});

try {
  const corpus = await loadCorpus(data.corpusDir, {
    ...data.limits,
    onSkip: (skip) => port.postMessage({ type: 'skip', skip } satisfies EngineEvent),
  });
  port.postMessage({
    type: 'indexing',
    documents: corpus.documents.length,
    passages: corpus.passages.length,
  } satisfies EngineEvent);
  engine = buildQaEngine(corpus);
  port.postMessage({
    type: 'ready',
    documents: corpus.documents.map((d) => ({ ...d })),
    passages: corpus.passages.length,
  } satisfies EngineEvent);
  handleBatch(queued.splice(0), engine);
} catch (error) {
  const e = error instanceof Error ? error : new Error(String(error));
  port.postMessage({ type: 'failed', name: e.name, message: e.message } satisfies EngineEvent);
}
