/**
 * Parser for expr-lang as Argo Rollouts v1.8.3 uses it. Argo Rollouts v1.8.3 pins
 * github.com/antonmedv/expr v1.15.5 (argo-rollouts v1.8.3 go.mod), so the grammar here is that version's:
 * expr v1.15.5 parser/parser.go (precedence climbing, `let x = …; body`, pipes `a | f(…)`, `??` that cannot be
 * mixed with other operators, ternary and `?:`, closures with `#`, `#index`, `#acc`, member access `a.b`,
 * `a?.b`, `a[i]`, slices `a[i:j]`, method calls `a.b(…)`, array and map literals) and
 * parser/operator/operator.go (the precedence table below).
 * There are no chained comparisons in v1.15.5 (they arrived in expr v1.16): `0.9 <= x <= 1` parses as
 * `(0.9 <= x) <= 1`, which the checker rejects as a bool compared with a number, exactly as Argo does.
 */
import { ExprError } from './errors.js';
import { type Token, tokenize } from './lexer.js';

export type Node =
  | { type: 'nil'; pos: number }
  | { type: 'bool'; value: boolean; pos: number }
  | { type: 'int'; value: bigint; pos: number }
  | { type: 'float'; value: number; pos: number }
  | { type: 'string'; value: string; pos: number }
  | { type: 'name'; name: string; pos: number }
  | { type: 'pointer'; name: string; pos: number }
  | { type: 'array'; items: Node[]; pos: number }
  | { type: 'map'; pairs: { key: Node; value: Node }[]; pos: number }
  | { type: 'unary'; op: 'not' | '-' | '+'; token: string; operand: Node; pos: number }
  | { type: 'binary'; op: string; token: string; left: Node; right: Node; pos: number }
  | { type: 'conditional'; test: Node; then: Node; else: Node; pos: number }
  | { type: 'member'; target: Node; property: Node; optional: boolean; pos: number }
  | { type: 'slice'; target: Node; from?: Node; to?: Node; pos: number }
  | { type: 'chain'; node: Node; pos: number }
  | { type: 'call'; name: string; args: Node[]; pos: number }
  | { type: 'method'; target: Node; name: string; args: Node[]; optional: boolean; pos: number }
  | { type: 'closure'; body: Node; pos: number }
  | { type: 'let'; name: string; value: Node; body: Node; pos: number };

/** Builtins that take a closure (expr v1.15.5 builtin/builtin.go `Predicate: true`; parser/parser.go). */
export const predicateBuiltins = new Set([
  'all',
  'none',
  'any',
  'one',
  'filter',
  'map',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'count',
  'groupBy',
  'reduce',
]);

/** Every builtin name of expr v1.15.5 (builtin/builtin.go); a call to one of them is a builtin call. */
export const builtinNames = new Set([
  ...predicateBuiltins,
  'len',
  'type',
  'abs',
  'ceil',
  'floor',
  'round',
  'int',
  'float',
  'string',
  'trim',
  'trimPrefix',
  'trimSuffix',
  'upper',
  'lower',
  'split',
  'splitAfter',
  'replace',
  'repeat',
  'join',
  'indexOf',
  'lastIndexOf',
  'hasPrefix',
  'hasSuffix',
  'max',
  'min',
  'sum',
  'mean',
  'median',
  'toJSON',
  'fromJSON',
  'toBase64',
  'fromBase64',
  'now',
  'duration',
  'date',
  'first',
  'last',
  'get',
  'take',
  'keys',
  'values',
  'toPairs',
  'fromPairs',
  'sort',
  'sortBy',
]);

// expr v1.15.5 parser/operator/operator.go: precedence and associativity.
const binary: Record<string, { prec: number; right?: boolean }> = {
  '|': { prec: 0 },
  or: { prec: 10 },
  '||': { prec: 10 },
  and: { prec: 15 },
  '&&': { prec: 15 },
  '==': { prec: 20 },
  '!=': { prec: 20 },
  '<': { prec: 20 },
  '>': { prec: 20 },
  '>=': { prec: 20 },
  '<=': { prec: 20 },
  in: { prec: 20 },
  matches: { prec: 20 },
  contains: { prec: 20 },
  startsWith: { prec: 20 },
  endsWith: { prec: 20 },
  '..': { prec: 25 },
  '+': { prec: 30 },
  '-': { prec: 30 },
  '*': { prec: 60 },
  '/': { prec: 60 },
  '%': { prec: 60 },
  '**': { prec: 100, right: true },
  '^': { prec: 100, right: true },
  '??': { prec: 500 },
};
const unary: Record<string, number> = { not: 50, '!': 50, '-': 90, '+': 90 };
const normalise: Record<string, string> = { or: '||', and: '&&', '^': '**' };

export function parse(source: string): Node {
  return new Parser(source).parseAll();
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private depth = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  parseAll(): Node {
    if (this.peek().kind === 'eof') throw this.error('the expression is empty', 0);
    const node = this.parseExpression(0);
    const rest = this.peek();
    if (rest.kind !== 'eof') throw this.error(`unexpected token ${describe(rest)}`, rest.pos);
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  /** An operator token (expr's lexer makes words such as `in`, `and`, `not`, `let` operators too). */
  private isOp(value: string, offset = 0): boolean {
    const token = this.peek(offset);
    return (token.kind === 'operator' || token.kind === 'name') && token.value === value;
  }

  private isBracket(value: string): boolean {
    const token = this.peek();
    return token.kind === 'bracket' && token.value === value;
  }

  private expect(value: string): Token {
    const token = this.peek();
    if (token.value !== value || token.kind === 'string' || token.kind === 'eof') {
      throw this.error(`unexpected token ${describe(token)} (expected "${value}")`, token.pos);
    }
    return this.next();
  }

  private error(detail: string, pos: number): ExprError {
    return new ExprError(this.source, detail, pos, 'syntax');
  }

  private parseExpression(precedence: number): Node {
    if (precedence === 0 && this.isOp('let')) return this.parseLet();
    let left = this.parsePrimary();
    let previous = '';
    for (;;) {
      let token = this.peek();
      let negate: Token | undefined;
      if (token.kind !== 'operator' && token.kind !== 'name') break;
      // `not in`, `not matches`, ...: expr's lexer reads `not` followed by one of these as one operator pair.
      if (
        token.value === 'not' &&
        ['in', 'matches', 'contains', 'startsWith', 'endsWith'].includes(this.peek(1).value)
      ) {
        negate = token;
        token = this.peek(1);
      }
      const info = binary[token.value];
      if (!info || info.prec < precedence) break;
      if (
        token.kind === 'name' &&
        !['or', 'and', 'in', 'matches', 'contains', 'startsWith', 'endsWith'].includes(token.value)
      )
        break;
      if (negate) this.next();
      this.next();
      if (token.value === '|') {
        left = this.parsePipe(left);
        previous = '|';
        continue;
      }
      // expr v1.15.5 parser/parser.go: `??` cannot be mixed with other operators without parentheses.
      if (previous === '??' && token.value !== '??') {
        throw this.error(
          `Operator (${token.value}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.`,
          token.pos,
        );
      }
      const right = this.parseExpression(info.right ? info.prec : info.prec + 1);
      const op = normalise[token.value] ?? token.value;
      left = { type: 'binary', op, token: token.value, left, right, pos: token.pos };
      if (negate) left = { type: 'unary', op: 'not', token: 'not', operand: left, pos: negate.pos };
      previous = token.value;
    }
    if (precedence === 0) left = this.parseConditional(left);
    return left;
  }

  private parseLet(): Node {
    const start = this.next();
    const name = this.next();
    if (name.kind !== 'name') throw this.error(`unexpected token ${describe(name)}`, name.pos);
    this.expect('=');
    const value = this.parseExpression(0);
    this.expect(';');
    const body = this.parseExpression(0);
    return { type: 'let', name: name.value, value, body, pos: start.pos };
  }

  private parseConditional(node: Node): Node {
    let current = node;
    while (this.isOp('?')) {
      const token = this.next();
      let then: Node;
      let otherwise: Node;
      if (this.isOp(':')) {
        this.next();
        then = current;
        otherwise = this.parseExpression(0);
      } else {
        then = this.parseExpression(0);
        this.expect(':');
        otherwise = this.parseExpression(0);
      }
      current = { type: 'conditional', test: current, then, else: otherwise, pos: token.pos };
    }
    return current;
  }

  private parsePrimary(): Node {
    const token = this.peek();
    if ((token.kind === 'operator' || token.kind === 'name') && unary[token.value] !== undefined) {
      if (token.kind === 'operator' || token.value === 'not') {
        this.next();
        const operand = this.parseExpression(unary[token.value] as number);
        const op = token.value === '!' ? 'not' : (token.value as 'not' | '-' | '+');
        return this.parsePostfix({ type: 'unary', op, token: token.value, operand, pos: token.pos });
      }
    }
    if (this.isBracket('(')) {
      this.next();
      const inner = this.parseExpression(0);
      this.expect(')');
      return this.parsePostfix(inner);
    }
    if (token.kind === 'pointer' || (token.kind === 'operator' && token.value === '.')) {
      if (this.depth === 0) throw this.error('cannot use pointer accessor outside closure', token.pos);
      if (token.kind === 'pointer') this.next();
      const name = token.kind === 'pointer' ? token.value.slice(1) : '';
      return this.parsePostfix({ type: 'pointer', name, pos: token.pos });
    }
    return this.parseSecondary();
  }

  private parseSecondary(): Node {
    const token = this.next();
    let node: Node;
    switch (token.kind) {
      case 'name':
        if (token.value === 'true' || token.value === 'false')
          return { type: 'bool', value: token.value === 'true', pos: token.pos };
        if (token.value === 'nil') return { type: 'nil', pos: token.pos };
        if (
          ['in', 'or', 'and', 'not', 'let', 'matches', 'contains', 'startsWith', 'endsWith'].includes(
            token.value,
          )
        )
          throw this.error(`unexpected token ${describe(token)}`, token.pos);
        node = this.parseCall(token);
        break;
      case 'number':
        return token.integer !== undefined
          ? { type: 'int', value: token.integer, pos: token.pos }
          : { type: 'float', value: token.number as number, pos: token.pos };
      case 'string':
        return { type: 'string', value: token.value, pos: token.pos };
      case 'bracket':
        if (token.value === '[') {
          node = { type: 'array', items: this.parseList(']'), pos: token.pos };
          break;
        }
        if (token.value === '{') {
          node = this.parseMap(token);
          break;
        }
        throw this.error(`unexpected token ${describe(token)}`, token.pos);
      case 'eof':
        throw this.error('unexpected end of expression', token.pos);
      default:
        throw this.error(`unexpected token ${describe(token)}`, token.pos);
    }
    return this.parsePostfix(node);
  }

  private parseList(close: string): Node[] {
    const items: Node[] = [];
    while (!this.isBracket(close)) {
      if (items.length > 0) {
        this.expect(',');
        if (this.isBracket(close)) break;
      }
      items.push(this.parseExpression(0));
    }
    this.expect(close);
    return items;
  }

  private parseMap(open: Token): Node {
    const pairs: { key: Node; value: Node }[] = [];
    while (!this.isBracket('}')) {
      if (pairs.length > 0) {
        this.expect(',');
        if (this.isBracket('}')) break;
      }
      const token = this.peek();
      let key: Node;
      if (token.kind === 'number' || token.kind === 'string' || token.kind === 'name') {
        this.next();
        key = { type: 'string', value: token.value, pos: token.pos };
      } else if (this.isBracket('(')) {
        key = this.parseExpression(0);
      } else {
        throw this.error(
          `a map key must be a quoted string, a number, a identifier, or an expression enclosed in parentheses (unexpected token ${describe(token)})`,
          token.pos,
        );
      }
      this.expect(':');
      pairs.push({ key, value: this.parseExpression(0) });
    }
    this.expect('}');
    return { type: 'map', pairs, pos: open.pos };
  }

  private parseCall(token: Token): Node {
    if (!this.isBracket('(')) return { type: 'name', name: token.value, pos: token.pos };
    this.next();
    if (predicateBuiltins.has(token.value)) {
      const args = [this.parseExpression(0)];
      this.expect(',');
      args.push(this.parseClosure());
      if (token.value === 'reduce' && this.isOp(',')) {
        this.next();
        args.push(this.parseExpression(0));
      }
      this.expect(')');
      return { type: 'call', name: token.value, args, pos: token.pos };
    }
    return { type: 'call', name: token.value, args: this.parseList(')'), pos: token.pos };
  }

  private parsePipe(left: Node): Node {
    const token = this.next();
    if (token.kind !== 'name') throw this.error(`unexpected token ${describe(token)}`, token.pos);
    this.expect('(');
    const args = [left];
    if (predicateBuiltins.has(token.value)) {
      args.push(this.parseClosure());
      this.expect(')');
    } else {
      args.push(...this.parseList(')'));
    }
    return { type: 'call', name: token.value, args, pos: token.pos };
  }

  private parseClosure(): Node {
    const start = this.peek();
    const braces = this.isBracket('{');
    if (braces) this.next();
    this.depth++;
    const body = this.parseExpression(0);
    this.depth--;
    if (braces) this.expect('}');
    return { type: 'closure', body, pos: start.pos };
  }

  private parsePostfix(node: Node): Node {
    let current = node;
    let chained = false;
    for (;;) {
      const token = this.peek();
      if (token.kind === 'operator' && (token.value === '.' || token.value === '?.')) {
        this.next();
        const property = this.next();
        if (property.kind !== 'name') throw this.error(`expected name`, property.pos);
        const optional = token.value === '?.';
        chained ||= optional;
        if (this.isBracket('(')) {
          // expr v1.15.5 parser/parser.go: `a.b(…)` is a CallNode whose callee is the member a.b (a method).
          this.next();
          const args = this.parseList(')');
          current = {
            type: 'method',
            target: current,
            name: property.value,
            args,
            optional,
            pos: property.pos,
          };
          continue;
        }
        current = {
          type: 'member',
          target: current,
          property: { type: 'string', value: property.value, pos: property.pos },
          optional,
          pos: property.pos,
        };
        continue;
      }
      if (this.isBracket('[')) {
        this.next();
        if (this.isOp(':')) {
          this.next();
          const to = this.isBracket(']') ? undefined : this.parseExpression(0);
          this.expect(']');
          current = { type: 'slice', target: current, to, pos: token.pos };
          continue;
        }
        const from = this.parseExpression(0);
        if (this.isOp(':')) {
          this.next();
          const to = this.isBracket(']') ? undefined : this.parseExpression(0);
          this.expect(']');
          current = { type: 'slice', target: current, from, to, pos: token.pos };
          continue;
        }
        this.expect(']');
        current = { type: 'member', target: current, property: from, optional: false, pos: token.pos };
        continue;
      }
      break;
    }
    return chained ? { type: 'chain', node: current, pos: current.pos } : current;
  }
}

function describe(token: Token): string {
  if (token.kind === 'eof') return 'EOF';
  if (token.kind === 'string') return `String(${JSON.stringify(token.value)})`;
  return `"${token.value}"`;
}
