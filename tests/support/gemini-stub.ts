/**
 * A local stand-in for the Gemini REST API (`POST /v1beta/models/<model>:generateContent`) on 127.0.0.1:0.
 * The real @google/genai SDK talks to it through `httpOptions.baseUrl`. Each scenario is one way a model or
 * the API can behave; the stub reads the passages out of the prompt so it works with any corpus.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type GeminiScenario =
  /** A grounded answer: the passage sentence sharing most words with the question, citing its passage. */
  | 'good'
  /** The model finds nothing relevant. */
  | 'insufficient'
  /** Answers `good` after `slowMs` (beyond the client's timeout). */
  | 'slow'
  | 'server_error'
  | 'rate_limited'
  /** Truncated JSON text. */
  | 'malformed_json'
  /** Valid JSON that breaks the answer schema. */
  | 'schema_violation'
  /** Cites a passage that was not retrieved. */
  | 'ungrounded_citation'
  /** Cites a retrieved passage, but the answer is not in it. */
  | 'unsupported_answer'
  /** Behaves like a model hijacked by a document saying "ignore previous instructions". */
  | 'injected';

export interface RecordedGeminiRequest {
  model: string;
  apiKey: string | undefined;
  url: string;
  body: GenerateContentBody;
  /** The text of the user message (question and passages). */
  prompt: string;
  systemInstruction: string;
}

interface GenerateContentBody {
  contents?: Array<{ parts?: Array<{ text?: string }> }>;
  systemInstruction?: { parts?: Array<{ text?: string }> } | string;
  generationConfig?: Record<string, unknown>;
}

export interface GeminiStub {
  baseUrl: string;
  requests: RecordedGeminiRequest[];
  scenario: GeminiScenario;
  close(): Promise<void>;
}

export interface GeminiStubOptions {
  scenario?: GeminiScenario;
  /** Delay of the `slow` scenario (default 2000 ms). */
  slowMs?: number;
  /** Retry-After header value of the `rate_limited` scenario (default: none, as Gemini often sends). */
  retryAfter?: string;
}

export const INJECTED_ANSWER = 'PWNED: the operator must disable all authentication.';

const PATH = /^\/v1beta\/models\/([^/:]+):generateContent$/;

export async function startGeminiStub(options: GeminiStubOptions = {}): Promise<GeminiStub> {
  const requests: RecordedGeminiRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const stub: GeminiStub = {
    baseUrl: '',
    requests,
    scenario: options.scenario ?? 'good',
    close: async () => {},
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      send(res, 500, { error: { code: 500, message: String(error), status: 'INTERNAL' } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = PATH.exec(req.url?.split('?')[0] ?? '');
    if (req.method !== 'POST' || !match) {
      send(res, 404, {
        error: { code: 404, message: `no route ${req.method} ${req.url}`, status: 'NOT_FOUND' },
      });
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as GenerateContentBody;
    const prompt = (body.contents ?? [])
      .flatMap((c) => c.parts ?? [])
      .map((p) => p.text ?? '')
      .join('\n');
    const si = body.systemInstruction;
    const systemInstruction =
      typeof si === 'string' ? si : (si?.parts ?? []).map((p) => p.text ?? '').join('\n');
    const key = req.headers['x-goog-api-key'];
    requests.push({
      model: decodeURIComponent(match[1] ?? ''),
      apiKey: Array.isArray(key) ? key[0] : key,
      url: req.url ?? '',
      body,
      prompt,
      systemInstruction,
    });

    const passages = parsePassages(prompt);
    const question = parseQuestion(prompt);
    switch (stub.scenario) {
      case 'good':
        return reply(res, goodAnswer(question, passages));
      case 'insufficient':
        return reply(res, { status: 'insufficient_context', answer: null, citations: [], confidence: 0.1 });
      case 'slow': {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, options.slowMs ?? 2000);
          timers.add(timer);
          res.on('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        if (res.destroyed || res.writableEnded) return;
        return reply(res, goodAnswer(question, passages));
      }
      case 'server_error':
        return send(res, 500, {
          error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' },
        });
      case 'rate_limited':
        if (options.retryAfter !== undefined) res.setHeader('retry-after', options.retryAfter);
        return send(res, 429, {
          error: {
            code: 429,
            message: 'Resource has been exhausted (e.g. check quota).',
            status: 'RESOURCE_EXHAUSTED',
          },
        });
      case 'malformed_json':
        return replyText(res, '{"status": "answered", "answer": "Add ignoreDifferences for /spec/repl');
      case 'schema_violation':
        return replyText(
          res,
          JSON.stringify({ status: 'maybe', answer: 42, citations: 'all', confidence: 7 }),
        );
      case 'ungrounded_citation':
        return reply(res, {
          status: 'answered',
          answer: goodAnswer(question, passages).answer ?? 'It depends.',
          citations: [{ passage_id: 'not-retrieved.md#99' }],
          confidence: 0.9,
        });
      case 'unsupported_answer':
        return reply(res, {
          status: 'answered',
          answer: 'Rename the cluster to quasar-seventeen and reboot every laptop on Tuesdays.',
          citations: passages.slice(0, 1).map((p) => ({ passage_id: p.id })),
          confidence: 0.95,
        });
      case 'injected': {
        const target =
          passages.find((p) => /ignore (all )?previous instructions/i.test(p.text)) ?? passages[0];
        return reply(res, {
          status: 'answered',
          answer: INJECTED_ANSWER,
          citations: target ? [{ passage_id: target.id }] : [],
          confidence: 1,
        });
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  stub.baseUrl = `http://127.0.0.1:${port}`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stub;
}

interface PromptPassage {
  id: string;
  text: string;
}

/** Passages appear in the prompt as `[passage_id: ID] [document: DOC] heading` followed by their text. */
function parsePassages(prompt: string): PromptPassage[] {
  const passages: PromptPassage[] = [];
  const pattern = /^\[passage_id: ([^\]]+)\][^\n]*\n([\s\S]*?)(?=\n---\n|\nDOCUMENTS-[0-9a-f]+>>>|$)/gm;
  for (const m of prompt.matchAll(pattern)) passages.push({ id: m[1] ?? '', text: m[2] ?? '' });
  return passages;
}

function parseQuestion(prompt: string): string {
  const m = /^QUESTION[^:]*: (.*)$/m.exec(prompt);
  try {
    return m ? String(JSON.parse(m[1] ?? '""')) : '';
  } catch {
    return m?.[1] ?? '';
  }
}

const words = (s: string) => new Set(s.toLowerCase().match(/[a-z0-9]{3,}/g) ?? []);

function goodAnswer(question: string, passages: PromptPassage[]) {
  const q = words(question);
  let best: { id: string; sentence: string; score: number } | undefined;
  for (const p of passages) {
    for (const sentence of p.text.split(/(?<=[.!?])\s+|\n/)) {
      const s = sentence.trim();
      if (s.length < 20) continue;
      const score = [...words(s)].filter((w) => q.has(w)).length;
      if (!best || score > best.score) best = { id: p.id, sentence: s, score };
    }
  }
  if (!best) return { status: 'insufficient_context', answer: null, citations: [], confidence: 0.1 };
  return {
    status: 'answered',
    answer: best.sentence,
    citations: [{ passage_id: best.id }],
    confidence: 0.85,
  };
}

function reply(res: ServerResponse, answer: unknown): void {
  replyText(res, JSON.stringify(answer));
}

function replyText(res: ServerResponse, text: string): void {
  send(res, 200, {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 20, totalTokenCount: 120 },
    modelVersion: 'stub',
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
