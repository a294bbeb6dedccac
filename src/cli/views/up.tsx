/** The live task list `gitops-lab up` shows on a terminal (ink). Loaded only on a TTY. */
import { Box, render, Text } from 'ink';
import type { StepEvent } from '../../lab/bootstrap/types.js';
import type { UpEvent, UpResult } from '../../lab/bootstrap/up.js';
import type { Finding } from '../../lab/doctor/checks.js';
import type { UpRenderer } from '../handlers/up.js';
import { printOutcome } from '../handlers/up.js';
import type { OutputStreams } from '../output.js';

interface ViewState {
  findings: Finding[];
  steps: Array<{
    id: string;
    title: string;
    status: StepEvent['status'];
    reason?: string;
    durationMs?: number;
  }>;
  progress: string[];
}

const marks: Record<StepEvent['status'], { mark: string; color: string }> = {
  pending: { mark: '·', color: 'gray' },
  checking: { mark: '?', color: 'gray' },
  skipped: { mark: '-', color: 'gray' },
  running: { mark: '▶', color: 'cyan' },
  waiting: { mark: '…', color: 'cyan' },
  done: { mark: '✓', color: 'green' },
  failed: { mark: '✗', color: 'red' },
  planned: { mark: '+', color: 'cyan' },
};

function UpView({ state }: { state: ViewState }) {
  const failed = state.findings.filter((f) => !f.ok);
  return (
    <Box flexDirection="column">
      <Text bold>
        Preflight: {state.findings.length - failed.length}/{state.findings.length} ok
      </Text>
      {state.steps.map((s) => {
        const m = marks[s.status];
        return (
          <Box key={s.id} flexDirection="column">
            <Text>
              <Text color={m.color}>{m.mark}</Text> {s.title}
              {s.durationMs !== undefined && (s.status === 'done' || s.status === 'skipped') ? (
                <Text color="gray"> {(s.durationMs / 1000).toFixed(1)}s</Text>
              ) : null}
              {s.reason && s.status !== 'done' ? <Text color="gray"> ({s.reason})</Text> : null}
            </Text>
            {s.id === 'apps' && s.status === 'waiting'
              ? state.progress.map((line) => (
                  <Text key={line} color="gray">
                    {'    '}
                    {line}
                  </Text>
                ))
              : null}
          </Box>
        );
      })}
    </Box>
  );
}

export async function inkUpRenderer(streams: OutputStreams): Promise<UpRenderer> {
  const state: ViewState = { findings: [], steps: [], progress: [] };
  const instance = render(<UpView state={state} />, {
    stdout: streams.stdout as NodeJS.WriteStream,
    exitOnCtrlC: false,
    // Nothing else writes while the view is up; leaving console alone keeps it usable in tests.
    patchConsole: false,
  });
  const refresh = () => instance.rerender(<UpView state={{ ...state, steps: [...state.steps] }} />);
  return {
    event(e: UpEvent) {
      if (e.type === 'preflight') state.findings = e.findings;
      else if (e.type === 'plan') state.steps = e.steps.map((s) => ({ ...s, status: 'pending' }));
      else if (e.progress) state.progress = e.progress;
      else {
        const step = state.steps.find((s) => s.id === e.step);
        if (step) Object.assign(step, { status: e.status, reason: e.reason, durationMs: e.durationMs });
      }
      refresh();
    },
    finish(result: UpResult) {
      refresh();
      instance.unmount();
      printOutcome(result, streams);
    },
  };
}
