/**
 * Replays cases against a target with bounded concurrency (and --repeat), scoring each response as it
 * arrives. Results come back in a stable order (run by run, cases in file order) whatever the timing.
 */
import type { EvalCase } from './cases.js';
import { type CaseRun, scoreOutcome } from './score.js';
import type { Target } from './targets.js';

export interface RunProgress {
  done: number;
  total: number;
  last: CaseRun;
  failed: number;
}

export interface RunCasesOptions {
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** How many times each case runs (default 1). */
  repeat?: number;
  onProgress?: (progress: RunProgress) => void;
}

export async function runCases(
  cases: EvalCase[],
  target: Target,
  options: RunCasesOptions = {},
): Promise<CaseRun[]> {
  const repeat = Math.max(1, Math.floor(options.repeat ?? 1));
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  const jobs: { evalCase: EvalCase; run: number }[] = [];
  for (let run = 0; run < repeat; run += 1) {
    for (const evalCase of cases) jobs.push({ evalCase, run });
  }
  const results: CaseRun[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  let failed = 0;
  const worker = async () => {
    for (;;) {
      const index = next;
      next += 1;
      const job = jobs[index];
      if (job === undefined) return;
      const outcome = await target.ask(job.evalCase.question);
      const result = scoreOutcome(job.evalCase, outcome, job.run);
      results[index] = result;
      done += 1;
      if (!result.passed) failed += 1;
      options.onProgress?.({ done, total: jobs.length, last: result, failed });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  return results;
}
