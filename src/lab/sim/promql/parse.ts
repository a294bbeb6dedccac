/**
 * PromQL text to an Expr, with Prometheus' own grammar (@prometheus-io/lezer-promql, the parser of Prometheus' web UI),
 * loaded on first use so that start-up does not pay for it. A syntax error or a construct the simulated Prometheus
 * does not evaluate is an Error with a message; nothing else is thrown.
 */
import type { SyntaxNode } from '@lezer/common';
import { promDurationMs } from '../live/windows.js';
import { type Expr, type Matcher, type MatchType, UnsupportedPromqlError } from './ast.js';

type PromqlParser = typeof import('@prometheus-io/lezer-promql').parser;
let loaded: PromqlParser | undefined;

async function promqlParser(): Promise<PromqlParser> {
  loaded ??= (await import('@prometheus-io/lezer-promql')).parser;
  return loaded;
}

export async function parsePromql(text: string): Promise<Expr> {
  const tree = (await promqlParser()).parse(text);
  let bad: SyntaxNode | undefined;
  tree.iterate({
    enter: (node) => {
      if (node.type.isError && !bad) bad = node.node;
    },
  });
  if (bad) throw new Error(`bad PromQL at character ${bad.from + 1}: ${JSON.stringify(text)}`);
  const top = tree.topNode.firstChild;
  if (!top) throw new Error('empty PromQL query');
  return new Converter(text).expr(top);
}

const binaryOps: Record<string, string> = {
  Add: '+',
  Sub: '-',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Pow: '^',
  Eql: '==',
  Neq: '!=',
  Gtr: '>',
  Lss: '<',
  Gte: '>=',
  Lte: '<=',
  And: 'and',
  Or: 'or',
  Unless: 'unless',
  Atan2: 'atan2',
};
/** The grammar's node names of what the evaluator leaves out, in PromQL's words. */
const constructs: Record<string, string> = {
  SubqueryExpr: 'subqueries',
  StepInvariantExpr: 'the @ modifier',
};
const matchOps: Record<string, MatchType> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

/** A PromQL string literal: "…" and '…' with Go escapes, `…` raw (prometheus/promql/parser/lex.go). */
function unquote(literal: string): string {
  const quote = literal[0];
  const body = literal.slice(1, -1);
  if (quote === '`') return body;
  if (quote === "'") return JSON.parse(`"${body.replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string;
  return JSON.parse(literal) as string;
}

/** A number literal, or a duration where PromQL takes one as seconds (`2m` is 120). */
function numberOf(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const bare = text.replace(/^[-+]/, '');
  if (/^inf$/i.test(bare)) return sign * Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(bare)) return Number.NaN;
  const n = Number(bare);
  if (!Number.isNaN(n)) return sign * n;
  const ms = promDurationMs(bare);
  if (ms === undefined) throw new Error(`bad number or duration ${JSON.stringify(text)}`);
  return (sign * ms) / 1000;
}

class Converter {
  constructor(private readonly text: string) {}

  private src(node: SyntaxNode): string {
    return this.text.slice(node.from, node.to);
  }

  private children(node: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
    return out;
  }

  private durationMs(node: SyntaxNode | null): number {
    const ms = node ? promDurationMs(this.src(node).trim()) : undefined;
    if (ms === undefined) throw new UnsupportedPromqlError(`the duration ${node ? this.src(node) : ''}`);
    return ms;
  }

  private labels(node: SyntaxNode | null): string[] {
    return node
      ? this.children(node)
          .filter((c) => c.name === 'LabelName')
          .map((c) => this.src(c))
      : [];
  }

  expr(node: SyntaxNode): Expr {
    switch (node.name) {
      case 'NumberDurationLiteral':
        return { kind: 'number', value: numberOf(this.src(node)) };
      case 'StringLiteral':
        return { kind: 'string', value: unquote(this.src(node)) };
      case 'ParenExpr':
        return this.expr(this.only(node));
      case 'UnaryExpr': {
        const operand = node.lastChild;
        if (!operand) throw new Error(`bad PromQL ${this.src(node)}`);
        return {
          kind: 'unary',
          op: this.src(node).trim().startsWith('-') ? '-' : '+',
          expr: this.expr(operand),
        };
      }
      case 'VectorSelector':
        return { kind: 'selector', matchers: this.matchers(node), offsetMs: 0 };
      case 'MatrixSelector': {
        const inner = this.expr(this.only(node));
        if (inner.kind !== 'selector' || inner.rangeMs !== undefined)
          throw new UnsupportedPromqlError('a range over anything but a vector selector (subqueries)');
        return { ...inner, rangeMs: this.durationMs(node.lastChild) };
      }
      case 'OffsetExpr': {
        const inner = this.expr(this.only(node));
        if (inner.kind !== 'selector') throw new UnsupportedPromqlError('offset on anything but a selector');
        const negative = node.getChild('Sub') !== null;
        const ms = this.durationMs(node.lastChild);
        return { ...inner, offsetMs: negative ? -ms : ms };
      }
      case 'FunctionCall': {
        const name = this.src(node.getChild('FunctionIdentifier') as SyntaxNode);
        return { kind: 'call', name, args: this.args(node.getChild('FunctionCallBody')) };
      }
      case 'AggregateExpr': {
        const modifier = node.getChild('AggregateModifier');
        return {
          kind: 'aggregate',
          op: this.src(node.getChild('AggregateOp') as SyntaxNode).toLowerCase(),
          grouping: modifier
            ? {
                without: modifier.getChild('Without') !== null,
                labels: this.labels(modifier.getChild('GroupingLabels')),
              }
            : undefined,
          args: this.args(node.getChild('FunctionCallBody')),
        };
      }
      case 'BinaryExpr':
        return this.binary(node);
      default:
        throw new UnsupportedPromqlError(`${constructs[node.name] ?? node.name} (${this.src(node)})`);
    }
  }

  private only(node: SyntaxNode): SyntaxNode {
    const inner = this.children(node).find((c) => c.name !== '(' && c.name !== ')');
    if (!inner) throw new Error(`bad PromQL ${this.src(node)}`);
    return inner;
  }

  private args(body: SyntaxNode | null): Expr[] {
    return body
      ? this.children(body)
          .filter((c) => !/^[(),]$/.test(c.name))
          .map((c) => this.expr(c))
      : [];
  }

  private binary(node: SyntaxNode): Expr {
    const parts = this.children(node);
    const opNode = parts.find((c) => c.name in binaryOps);
    const operands = parts.filter(
      (c) => c !== opNode && !['BoolModifier', 'MatchingModifierClause'].includes(c.name),
    );
    if (!opNode || operands.length !== 2) throw new Error(`bad PromQL ${this.src(node)}`);
    const clause = node.getChild('MatchingModifierClause');
    if (clause && (clause.getChild('GroupLeft') || clause.getChild('GroupRight')))
      throw new UnsupportedPromqlError('group_left/group_right (many-to-one matching)');
    const op = binaryOps[opNode.name] ?? opNode.name;
    const [lhs, rhs] = operands as [SyntaxNode, SyntaxNode];
    if (op === '^' || op === 'atan2') throw new UnsupportedPromqlError(`the operator ${op}`);
    return {
      kind: 'binary',
      op,
      bool: node.getChild('BoolModifier') !== null,
      matching: clause
        ? { on: clause.getChild('On') !== null, labels: this.labels(clause.getChild('GroupingLabels')) }
        : undefined,
      lhs: this.expr(lhs),
      rhs: this.expr(rhs),
    };
  }

  private matchers(node: SyntaxNode): Matcher[] {
    const out: Matcher[] = [];
    const name = node.getChild('Identifier');
    if (name) out.push({ name: '__name__', type: '=', value: this.src(name) });
    const list = node.getChild('LabelMatchers');
    for (const m of list ? this.children(list) : []) {
      if (m.name === 'QuotedLabelName') {
        out.push({ name: '__name__', type: '=', value: unquote(this.src(m)) });
        continue;
      }
      if (!m.name.endsWith('LabelMatcher')) continue;
      const labelNode = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
      const op = m.getChild('MatchOp')?.firstChild;
      const value = m.getChild('StringLiteral');
      if (!labelNode || !op || !value) throw new Error(`bad label matcher ${this.src(m)}`);
      const label = labelNode.name === 'LabelName' ? this.src(labelNode) : unquote(this.src(labelNode));
      const type = matchOps[op.name];
      if (!type) throw new Error(`bad label matcher ${this.src(m)}`);
      out.push({ name: label, type, value: unquote(this.src(value)) });
    }
    return out;
  }
}
