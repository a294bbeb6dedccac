/**
 * Fault injection for drills (`DOCQA_FAULTS`, a comma list). Faults degrade answer quality or speed while
 * HTTP health stays green, so the lab can show that health checks alone do not catch them.
 *   wrong-retrieval    answers come from passages unrelated to the question
 *   latency=<ms>       every /v1/ask waits this long first (`800`, `800ms` or `0.8s`)
 */
export interface Faults {
  wrongRetrieval: boolean;
  latencyMs: number;
}

export const NO_FAULTS: Faults = Object.freeze({ wrongRetrieval: false, latencyMs: 0 });

export const MAX_FAULT_LATENCY_MS = 60_000;

export class FaultSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultSpecError';
  }
}

const KNOWN = 'wrong-retrieval, latency=<ms>';

/** Parses `DOCQA_FAULTS`; an empty or missing value means no faults. Throws FaultSpecError on anything unknown. */
export function parseFaults(spec: string | undefined): Faults {
  const faults: Faults = { ...NO_FAULTS };
  if (spec === undefined) return faults;
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    if (item === 'wrong-retrieval') {
      faults.wrongRetrieval = true;
      continue;
    }
    const latency = /^latency=(.*)$/.exec(item);
    if (latency) {
      faults.latencyMs = parseDuration(latency[1] ?? '', item);
      continue;
    }
    throw new FaultSpecError(`DOCQA_FAULTS: unknown fault "${item}" (known faults: ${KNOWN}).`);
  }
  return faults;
}

function parseDuration(value: string, item: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value.trim());
  if (!match) {
    throw new FaultSpecError(
      `DOCQA_FAULTS: "${item}" needs a duration such as latency=800, latency=800ms or latency=0.8s.`,
    );
  }
  const ms = Number(match[1]) * (match[2] === 's' ? 1000 : 1);
  if (ms > MAX_FAULT_LATENCY_MS) {
    throw new FaultSpecError(`DOCQA_FAULTS: "${item}" is over the ${MAX_FAULT_LATENCY_MS} ms maximum.`);
  }
  return Math.round(ms);
}

/** Normalises the `faults` option of createDocQaApp: a DOCQA_FAULTS string or a partial Faults object. */
export function resolveFaults(input: string | Partial<Faults> | undefined): Faults {
  if (input === undefined) return { ...NO_FAULTS };
  if (typeof input === 'string') return parseFaults(input);
  const faults = { ...NO_FAULTS, ...input };
  if (!Number.isFinite(faults.latencyMs) || faults.latencyMs < 0 || faults.latencyMs > MAX_FAULT_LATENCY_MS) {
    throw new FaultSpecError(`faults.latencyMs must be from 0 to ${MAX_FAULT_LATENCY_MS}.`);
  }
  return faults;
}

/** The active faults as DOCQA_FAULTS would spell them (for logs and /readyz). */
export function describeFaults(faults: Faults): string[] {
  const list: string[] = [];
  if (faults.wrongRetrieval) list.push('wrong-retrieval');
  if (faults.latencyMs > 0) list.push(`latency=${faults.latencyMs}ms`);
  return list;
}
