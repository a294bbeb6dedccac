/**
 * The QA engine on its own thread (engine-worker.ts), seen from the HTTP server's thread: every call is a
 * promise; the calls of one event-loop turn go to the thread as one message and come back as one (or a few). The server's event loop then only does I/O (parsing requests, writing responses,
 * health probes, signals) while the worker loads the corpus, builds the index and answers; a corpus that takes
 * seconds to index no longer blocks `/healthz`, `/readyz` or SIGTERM.
 *
 * One worker, not a pool: the pod is limited to half a core (manifests/workloads/docqa/rollout.yaml) and every
 * worker would hold its own copy of the index within the pod's 384 Mi.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CorpusLimits, CorpusSkip } from './corpus.js';
import type {
  AnswerReply,
  EngineEvent,
  EngineReply,
  EngineRequest,
  EngineWorkerData,
} from './engine-worker.js';
import type { Citation, CorpusDocument, Passage } from './qa/types.js';

export interface CorpusSummary {
  documents: CorpusDocument[];
  passages: number;
}

export interface EngineThreadOptions {
  corpusDir: string;
  limits?: CorpusLimits;
  onSkip?: (skip: CorpusSkip) => void;
  /** Called when the files are read and the index build starts. */
  onIndexing?: (counts: { documents: number; passages: number }) => void;
  /**
   * Cap of the thread's V8 old generation in MiB (default: V8's own). Past it the thread dies with
   * ERR_WORKER_OUT_OF_MEMORY and the service reports it (readiness and liveness 503), rather than the whole
   * process being killed by the kernel's OOM killer without a word.
   */
  maxHeapMb?: number;
  /** Called once if the thread stops while the service runs (a crash, out of memory). */
  onExit?: (reason: string) => void;
}

/** The engine thread's calls; each rejects if the thread fails or has stopped. */
export interface EngineThread {
  /** Resolves when the corpus is indexed; rejects with the loader's error (same name and message). */
  ready: Promise<CorpusSummary>;
  /** The extractive answer and its groundedness, or 'expired' if it waited over maxWaitMs for the thread. */
  answer(
    question: string,
    topK: number,
    wrongRetrieval: boolean,
    maxWaitMs: number,
  ): Promise<AnswerReply | 'expired'>;
  retrieve(question: string, topK: number): Promise<Passage[]>;
  /** The passages with these ids, in corpus order. */
  passages(ids: string[]): Promise<Passage[]>;
  isGrounded(question: string, answer: string, citations: Pick<Citation, 'passage_id'>[]): Promise<boolean>;
  /** Stops the thread; calls in flight reject. */
  close(): Promise<void>;
}

/** Most calls in one message to the engine thread; a fuller outbox is sent at once. */
const MAX_BATCH = 32;

/** Distributes the request type over its union (Omit on a union would merge its members). */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export function startEngineThread(options: EngineThreadOptions): EngineThread {
  const data: EngineWorkerData = { corpusDir: options.corpusDir, limits: options.limits ?? {} };
  const worker = spawnWorker(
    data,
    options.maxHeapMb === undefined ? undefined : { maxOldGenerationSizeMb: options.maxHeapMb },
  );
  // The HTTP server keeps the process alive; the engine thread alone must not.
  worker.unref();
  const pending = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let stopped: string | undefined;
  let closing = false;
  let settleReady: { resolve: (s: CorpusSummary) => void; reject: (e: Error) => void } | undefined;
  const ready = new Promise<CorpusSummary>((resolve, reject) => {
    settleReady = { resolve, reject };
  });

  const stop = (reason: string) => {
    if (stopped !== undefined) return;
    stopped = reason;
    const error = new Error(reason);
    settleReady?.reject(error);
    settleReady = undefined;
    for (const call of pending.values()) call.reject(error);
    pending.clear();
    if (!closing) options.onExit?.(reason);
  };

  worker.on('message', (message: EngineEvent | EngineReply[]) => {
    if (Array.isArray(message)) {
      for (const reply of message) {
        const call = pending.get(reply.id);
        if (!call) continue;
        pending.delete(reply.id);
        if (reply.type === 'reply') call.resolve(reply.value as never);
        else call.reject(new Error(reply.message));
      }
      return;
    }
    switch (message.type) {
      case 'skip':
        options.onSkip?.(message.skip);
        return;
      case 'indexing':
        options.onIndexing?.({ documents: message.documents, passages: message.passages });
        return;
      case 'ready':
        settleReady?.resolve({ documents: message.documents, passages: message.passages });
        settleReady = undefined;
        return;
      case 'failed': {
        const error = new Error(message.message);
        error.name = message.name;
        settleReady?.reject(error);
        settleReady = undefined;
        // Nothing more to answer: the thread goes.
        closing = true;
        void worker.terminate();
        return;
      }
    }
  });
  worker.on('error', (error) => stop(`the engine thread failed: ${error.message}`));
  worker.on('exit', (code) => stop(`the engine thread stopped (exit code ${code})`));

  // Requests go out in batches: the calls made during one turn of the event loop (every ask whose body was
  // read in this poll phase) travel in one message, posted from the check phase that follows. One
  // postMessage per ask cost about as much CPU on this thread as the rest of the ask's own code.
  let outbox: EngineRequest[] = [];
  const flush = () => {
    if (outbox.length === 0) return;
    const batch = outbox;
    outbox = [];
    if (stopped === undefined) worker.postMessage(batch);
  };
  const call = <T>(request: WithoutId<EngineRequest>): Promise<T> => {
    if (stopped !== undefined) return Promise.reject(new Error(stopped));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: never) => void, reject });
      if (outbox.length === 0) setImmediate(flush);
      outbox.push({ ...request, id } as EngineRequest);
      // Under a flood one poll phase reads hundreds of requests; the thread starts on the first of them
      // rather than waiting, idle, for the whole phase to end.
      if (outbox.length >= MAX_BATCH) flush();
    });
  };

  return {
    ready,
    answer: (question, topK, wrongRetrieval, maxWaitMs) =>
      call({ op: 'answer', question, topK, wrongRetrieval, sentAt: Date.now(), maxWaitMs }),
    retrieve: (question, topK) => call({ op: 'retrieve', question, topK }),
    passages: (ids) => call({ op: 'passages', ids }),
    isGrounded: (question, answer, citations) =>
      call({ op: 'grounded', question, answer, ids: citations.map((c) => c.passage_id) }),
    async close() {
      closing = true;
      await worker.terminate();
    },
  };
}

/**
 * The built worker (dist/service/engine-worker.js); from the TypeScript source (vitest, tsx) the worker
 * registers tsx's loader before importing engine-worker.ts, as Node 20 cannot load .ts by itself.
 */
function spawnWorker(workerData: EngineWorkerData, resourceLimits: Worker['resourceLimits']): Worker {
  const here = import.meta.url;
  const options = { workerData, ...(resourceLimits ? { resourceLimits } : {}) };
  if (!here.endsWith('.ts')) return new Worker(new URL('./engine-worker.js', here), options);
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api')).href;
  const entry = new URL('./engine-worker.ts', here).href;
  const boot = `import(${JSON.stringify(tsx)}).then((t) => { (t.register ?? t.default.register)(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, ...options });
}
