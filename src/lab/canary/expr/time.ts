/**
 * argo-rollouts v1.8.3 utils/evaluate/evaluate.go EvalTime, which reads a Prometheus rangeQuery's start and
 * end: an expr expression that must yield a time. This covers the expr v1.15.5 time builtins such templates
 * use: now(), duration("1h30m") (Go time.ParseDuration units ns, us, µs, ms, s, m, h), date("…") for
 * RFC 3339 text or "2006-01-02 15:04:05"-style text with an optional "UTC" zone, and time ± duration,
 * time - time. Anything else is an ExprError naming what is not supported (a deliberate difference,
 * docs/canary.md). `now` is injected, so tests pin it.
 */
import { ExprError } from './errors.js';
import { type Node, parse } from './parser.js';

type TimeValue =
  | { kind: 'time'; ms: number }
  | { kind: 'duration'; ms: number }
  | { kind: 'string'; value: string };

const goUnits: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go's time.ParseDuration, in milliseconds; null when Go would reject the text. */
export function parseGoDuration(text: string): number | null {
  const match = /^([+-]?)(.+)$/.exec(text);
  if (!match) return null;
  const body = match[2] as string;
  if (body === '0') return 0;
  const pattern = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let index = 0;
  while (index < body.length) {
    pattern.lastIndex = index;
    const part = pattern.exec(body);
    if (!part) return null;
    total += Number(part[1]) * (goUnits[part[2] as string] as number);
    index = pattern.lastIndex;
  }
  return match[1] === '-' ? -total : total;
}

export function evalTime(expression: string, now: Date): Date {
  const ast = parse(expression);
  const value = new TimeEvaluator(expression, now).eval(ast);
  if (value.kind !== 'time') {
    const got = value.kind === 'duration' ? 'time.Duration' : 'string';
    throw new ExprError(expression, `expected time.Time, but got ${got}`, undefined, 'type');
  }
  return new Date(value.ms);
}

class TimeEvaluator {
  constructor(
    private readonly source: string,
    private readonly now: Date,
  ) {}

  private fail(detail: string, node: Node, kind: 'type' | 'unsupported' = 'type'): never {
    throw new ExprError(this.source, detail, node.pos, kind);
  }

  eval(node: Node): TimeValue {
    if (node.type === 'string') return { kind: 'string', value: node.value };
    if (node.type === 'call') return this.call(node);
    if (node.type === 'binary' && (node.op === '+' || node.op === '-')) {
      const l = this.eval(node.left);
      const r = this.eval(node.right);
      if (l.kind === 'time' && r.kind === 'duration')
        return { kind: 'time', ms: node.op === '+' ? l.ms + r.ms : l.ms - r.ms };
      if (node.op === '+' && l.kind === 'duration' && r.kind === 'time')
        return { kind: 'time', ms: l.ms + r.ms };
      if (node.op === '-' && l.kind === 'time' && r.kind === 'time')
        return { kind: 'duration', ms: l.ms - r.ms };
      if (l.kind === 'duration' && r.kind === 'duration')
        return { kind: 'duration', ms: node.op === '+' ? l.ms + r.ms : l.ms - r.ms };
      return this.fail(`invalid operation: ${node.op} (mismatched types ${l.kind} and ${r.kind})`, node);
    }
    return this.fail(
      'only now(), duration(), date() and + or - between them are supported in a rangeQuery time',
      node,
      'unsupported',
    );
  }

  private call(node: Extract<Node, { type: 'call' }>): TimeValue {
    const args = node.args.map((a) => this.eval(a));
    const text = (i: number): string => {
      const a = args[i];
      if (a?.kind !== 'string') return this.fail(`${node.name}() needs a string argument`, node);
      return a.value;
    };
    switch (node.name) {
      case 'now':
        if (args.length !== 0) return this.fail('now() takes no arguments', node);
        return { kind: 'time', ms: this.now.getTime() };
      case 'duration': {
        const ms = parseGoDuration(text(0));
        if (ms === null) return this.fail(`time: invalid duration ${JSON.stringify(text(0))}`, node);
        return { kind: 'duration', ms };
      }
      case 'date': {
        const value = text(0);
        const zone = args.length >= 3 ? text(2) : 'UTC';
        if (zone !== 'UTC') return this.fail('date() supports only the UTC zone here', node, 'unsupported');
        const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value)
          ? `${value.replace(' ', 'T')}Z`
          : value;
        const ms = Date.parse(iso);
        if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms))
          return this.fail(`cannot parse ${JSON.stringify(value)} as a date`, node);
        return { kind: 'time', ms };
      }
      default:
        return this.fail(`${node.name}() is not supported in a rangeQuery time`, node, 'unsupported');
    }
  }
}
