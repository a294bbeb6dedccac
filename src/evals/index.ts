/**
 * The eval runner's public surface, for the CLI and for the lab (drill probes, the canary replay): load cases,
 * replay them against a target, score, summarise, gate and report.
 */
export {
  type Baseline,
  type BaselineComparison,
  compareWithBaseline,
  loadBaseline,
  parseBaseline,
} from './baseline.js';
export { type EvalCase, filterCases, type LoadedCases, loadCases, parseCaseFile } from './cases.js';
export {
  type CaseSummary,
  type EvalResult,
  type EvaluateOptions,
  evaluate,
  summariseCases,
} from './evaluate.js';
export { evaluateGates, type Gate, type GateResult, loadGates, parseGates } from './gates.js';
export {
  computeMetrics,
  METRIC_NAMES,
  type MetricCounts,
  type MetricName,
  type Metrics,
  percentile,
} from './metrics.js';
export { renderJunit } from './reports/junit.js';
export { renderMarkdown } from './reports/markdown.js';
export { writeReportFile } from './reports/write.js';
export { type RunCasesOptions, type RunProgress, runCases } from './runner.js';
export { type CaseRun, type FailureKind, normalizeAnswer, scoreOutcome, tokenF1 } from './score.js';
export {
  type AskOutcome,
  checkReachable,
  fetchTarget,
  httpTarget,
  inProcessTarget,
  type Target,
} from './targets.js';
