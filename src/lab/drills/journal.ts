/** The record of one drill run: what `--json` prints and what the Markdown report is rendered from. */
import type { Sample } from './expectations.js';

export type DrillStatus = 'completed' | 'failed' | 'aborted' | 'interrupted';
export type DrillPhase = 'preconditions' | 'steady-state' | 'inject' | 'observe' | 'rollback' | 'verify';

export interface ProbeOutput {
  id: string;
  description: string;
  ok: boolean;
  value: unknown;
  detail: string;
  error?: string;
}

export interface ProbeCheck {
  ok: boolean;
  at: string;
  probes: ProbeOutput[];
}

export interface ActionRecord {
  type: string;
  description: string;
  status: 'ok' | 'failed';
  detail: string;
  started: string;
  ended: string;
}

export interface ExpectationRecord {
  probe: string;
  description: string;
  expectation: string;
  /** The expectation as one sentence ("doc-QA keeps serving, throughout"), as the verdict and report print it. */
  statement: string;
  met: boolean;
  detail: string;
}

export interface TimelineEntry {
  at: string;
  /** Drill time since the start, in ms. */
  offset_ms: number;
  phase: DrillPhase | 'run';
  level: 'info' | 'ok' | 'warn' | 'error';
  message: string;
}

export interface DrillJournal {
  drill: string;
  title: string;
  file: string;
  mode: 'run' | 'recover';
  status: DrillStatus;
  /** True when the steady state did not hold after recovery. */
  deviated: boolean;
  /** True when every observe expectation was met. */
  expected_behaviour_observed: boolean;
  /** Why the run did not complete, when it did not. */
  reason?: string;
  precondition_failed: boolean;
  hypothesis: string;
  teaches: string;
  fix: string;
  runbook: string;
  started: string;
  ended: string;
  duration_ms: number;
  preconditions: ProbeCheck | null;
  steady_states: { before: ProbeCheck | null; after: ProbeCheck | null };
  inject: ActionRecord[];
  observe: {
    window_ms: number;
    samples: Record<string, Sample[]>;
    /**
     * Every value a watched probe's object took in the window, in order (the probes of `flaps` and `changes`
     * expectations, where the cluster can be watched); those expectations are judged on these, not the samples.
     */
    changes?: Record<string, Sample[]>;
    expectations: ExpectationRecord[];
  } | null;
  rollback: ActionRecord[];
  /**
   * What the rollback found and decided, from the actual state (the remote's branch after fetching, a process
   * left in flight by a killed run), one entry a decision.
   */
  decisions: Array<{ at: string; decision: string }>;
  timeline: TimelineEntry[];
  /** Where the Markdown report was written, when it was. */
  report?: string;
  /**
   * Set when the drill ran against the simulated lab (`up --simulate`): every time in this journal is then the
   * lab's simulated time, which runs `speed` times faster than the wall clock.
   */
  simulated?: { speed: number };
}
