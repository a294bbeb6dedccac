/**
 * The live view of a running drill (TTY only, loaded lazily): the phase, the latest timeline events and, for each
 * numeric probe, a sparkline of its values over time. In argo-vs-hpa the replica count's sawtooth is the lesson.
 */
import { Box, render, Text } from 'ink';
import { useEffect, useState } from 'react';
import type { Clock } from '../../lab/clock.js';
import type { DrillEvent } from '../../lab/drills/engine.js';
import type { TimelineEntry } from '../../lab/drills/journal.js';
import type { Drill } from '../../lab/drills/load.js';
import type { OutputStreams } from '../output.js';
import { sparkline } from './drill-sparkline.js';
import { simTimeLabel } from './sim-time.js';

/** The simulated lab's clock and speed, when the drill runs against it: the view shows its time. */
export interface SimulatedTime {
  clock: Clock;
  speed: number;
}

/** How often the simulated time in the header is redrawn, in wall ms (presentation only). */
const simTimeRefreshMs = 1000;

interface Series {
  description: string;
  values: number[];
  last: unknown;
}

interface State {
  timeline: Array<{ id: number; entry: TimelineEntry }>;
  series: Map<string, Series>;
  notices: Array<{ id: number; text: string }>;
}

class Store {
  state: State = { timeline: [], series: new Map(), notices: [] };
  private listeners = new Set<() => void>();
  private seq = 0;

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    this.state = { ...this.state };
    for (const l of this.listeners) l();
  }

  push(event: DrillEvent): void {
    if (event.kind === 'timeline') {
      this.state.timeline = [...this.state.timeline, { id: this.seq++, entry: event.entry }];
    } else {
      const series = new Map(this.state.series);
      const current = series.get(event.probe) ?? {
        description: event.description,
        values: [],
        last: undefined,
      };
      series.set(event.probe, {
        description: current.description,
        values: event.numeric === undefined ? current.values : [...current.values, event.numeric],
        last: event.value,
      });
      this.state.series = series;
    }
    this.changed();
  }

  notice(message: string): void {
    this.state.notices = [...this.state.notices, { id: this.seq++, text: message }];
    this.changed();
  }
}

const levelColor = { info: undefined, ok: 'green', warn: 'yellow', error: 'red' } as const;

function DrillLive({ drill, store, simulated }: { drill: Drill; store: Store; simulated?: SimulatedTime }) {
  const [state, setState] = useState(store.state);
  useEffect(() => {
    const unsubscribe = store.subscribe(() => setState(store.state));
    // Catch up with events that came before this effect ran.
    setState(store.state);
    return unsubscribe;
  }, [store]);
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!simulated) return;
    const timer = setInterval(() => setTick((n) => n + 1), simTimeRefreshMs);
    timer.unref();
    return () => clearInterval(timer);
  }, [simulated]);
  const phase = state.timeline.at(-1)?.entry.phase ?? 'starting';
  const numeric = [...state.series.entries()].filter(([, s]) => s.values.length > 0);
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>{drill.title}</Text> <Text dimColor>({drill.name})</Text> phase:{' '}
        <Text color="cyan">{phase}</Text>
        {simulated && <Text color="magenta"> {simTimeLabel(simulated.clock, simulated.speed)}</Text>}
      </Text>
      {numeric.length > 0 && (
        <Box flexDirection="column" marginTop={1}>
          {numeric.map(([id, s]) => (
            <Text key={id}>
              <Text color="cyan">{sparkline(s.values)}</Text> {String(s.last)}{' '}
              <Text dimColor>{s.description}</Text>
            </Text>
          ))}
        </Box>
      )}
      <Box flexDirection="column" marginTop={1}>
        {state.timeline.slice(-14).map(({ id, entry }) => (
          <Text key={id}>
            <Text dimColor>
              {simulated ? 'sim ' : ''}
              {entry.at.slice(11, 19)} [{entry.phase}]
            </Text>{' '}
            <Text color={levelColor[entry.level]}>{entry.message}</Text>
          </Text>
        ))}
      </Box>
      {state.notices.map(({ id, text }) => (
        <Text key={id} color="yellow">
          {text}
        </Text>
      ))}
    </Box>
  );
}

export function openLiveView(drill: Drill, streams: OutputStreams, simulated?: SimulatedTime) {
  const store = new Store();
  const instance = render(<DrillLive drill={drill} store={store} simulated={simulated} />, {
    stdout: streams.stdout as NodeJS.WriteStream,
    stderr: streams.stderr as NodeJS.WriteStream,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return {
    event: (event: DrillEvent) => store.push(event),
    notice: (message: string) => store.notice(message),
    close: async () => {
      instance.unmount();
      await instance.waitUntilExit();
    },
  };
}
