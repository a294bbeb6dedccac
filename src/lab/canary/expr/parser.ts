/**
 * A Pratt parser for the expr-lang subset Argo Rollouts conditions use: literals, `result`, arithmetic,
 * comparisons, `&&`/`and`, `||`/`or`, `!`/`not`, `in`, ternaries, array literals, indexing and slicing,
 * builtin calls, and predicates (`all(result, # < 0.1)` or `all(result, {# < 0.1})`).
 * Operator precedences follow expr-lang's: or 10, and 15, comparisons/in 20, + - 30, * / % 60, unary not 50,
 * unary minus 90, ** and ^ 100 (right-associative).
 * Valid expr-lang outside this subset (pipes, maps, member access, `matches`, `??`, ranges, `#index`, ...)
 * raises an ExprError of kind `unsupported` naming the construct, never a silent misreading.
 */
import { ExprError } from './errors.js';
import { type Token, tokenize } from './lexer.js';

export type Node =
  | { type: 'literal'; value: number | string | boolean | null; pos: number }
  | { type: 'name'; name: string; pos: number }
  | { type: 'pointer'; pos: number }
  | { type: 'array'; items: Node[]; pos: number }
  | { type: 'unary'; op: '!' | '-' | '+'; operand: Node; pos: number }
  | { type: 'binary'; op: BinaryOp; left: Node; right: Node; pos: number }
  | { type: 'conditional'; test: Node; then: Node; else: Node; pos: number }
  | { type: 'index'; target: Node; index: Node; pos: number }
  | { type: 'slice'; target: Node; from?: Node; to?: Node; pos: number }
  | { type: 'call'; name: string; args: Node[]; pos: number };

export type BinaryOp =
  | '||'
  | '&&'
  | '=='
  | '!='
  | '<'
  | '>'
  | '<='
  | '>='
  | 'in'
  | 'not in'
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '**';

/** Builtins whose last argument is a predicate over `#`. */
export const predicateFunctions = new Set(['all', 'any', 'none', 'one', 'filter', 'map', 'count']);
/** Builtins with plain arguments. */
export const plainFunctions = new Set([
  'len',
  'isNaN',
  'isInf',
  'isNil',
  'default',
  'asInt',
  'asFloat',
  'abs',
  'ceil',
  'floor',
  'round',
  'min',
  'max',
  'sum',
  'mean',
  'median',
  'first',
  'last',
  'int',
  'float',
]);

interface BinaryInfo {
  prec: number;
  op?: BinaryOp;
  right?: boolean;
  unsupported?: string;
}

const binaryOps = new Map<string, BinaryInfo>(
  Object.entries({
    '||': { prec: 10, op: '||' },
    or: { prec: 10, op: '||' },
    '&&': { prec: 15, op: '&&' },
    and: { prec: 15, op: '&&' },
    '==': { prec: 20, op: '==' },
    '!=': { prec: 20, op: '!=' },
    '<': { prec: 20, op: '<' },
    '>': { prec: 20, op: '>' },
    '<=': { prec: 20, op: '<=' },
    '>=': { prec: 20, op: '>=' },
    in: { prec: 20, op: 'in' },
    matches: { prec: 20, unsupported: 'the `matches` operator' },
    contains: { prec: 20, unsupported: 'the `contains` operator' },
    startsWith: { prec: 20, unsupported: 'the `startsWith` operator' },
    endsWith: { prec: 20, unsupported: 'the `endsWith` operator' },
    '..': { prec: 25, unsupported: 'ranges (`..`)' },
    '+': { prec: 30, op: '+' },
    '-': { prec: 30, op: '-' },
    '*': { prec: 60, op: '*' },
    '/': { prec: 60, op: '/' },
    '%': { prec: 60, op: '%' },
    '**': { prec: 100, op: '**', right: true },
    '^': { prec: 100, op: '**', right: true },
    '??': { prec: 500, unsupported: 'the nil-coalescing operator `??`' },
    '|': { prec: 0, unsupported: 'pipes (`|`)' },
  } satisfies Record<string, BinaryInfo>),
);

const UNARY_NOT = 50;
const UNARY_SIGN = 90;

export function parse(source: string): Node {
  return new Parser(source).parseAll();
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private predicateDepth = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  parseAll(): Node {
    if (this.peek().kind === 'eof') throw this.error('the expression is empty', 0, 'syntax');
    const node = this.parseExpression(0);
    const rest = this.peek();
    if (rest.kind !== 'eof') throw this.error(`unexpected ${describe(rest)}`, rest.pos, 'syntax');
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

  private is(value: string, offset = 0): boolean {
    const token = this.peek(offset);
    return (
      (token.kind === 'operator' || token.kind === 'bracket' || token.kind === 'name') &&
      token.value === value
    );
  }

  private expect(value: string): Token {
    const token = this.peek();
    if (!this.is(value))
      throw this.error(`expected "${value}" but found ${describe(token)}`, token.pos, 'syntax');
    return this.next();
  }

  private error(detail: string, pos: number, kind: 'syntax' | 'unsupported'): ExprError {
    return new ExprError(this.source, detail, pos, kind);
  }

  private parseExpression(minPrec: number): Node {
    let left = this.parseUnary();
    for (;;) {
      const token = this.peek();
      if (token.kind !== 'operator' && token.kind !== 'name') break;
      // `not in`
      if (token.value === 'not' && token.kind === 'name' && this.is('in', 1)) {
        if (20 < minPrec) break;
        this.next();
        this.next();
        const right = this.parseExpression(21);
        left = { type: 'binary', op: 'not in', left, right, pos: token.pos };
        continue;
      }
      if (token.value === '?' && minPrec === 0) {
        this.next();
        const then = this.parseExpression(0);
        this.expect(':');
        const otherwise = this.parseExpression(0);
        left = { type: 'conditional', test: left, then, else: otherwise, pos: token.pos };
        continue;
      }
      const info = binaryOps.get(token.value);
      if (!info || info.prec < minPrec) break;
      if (info.unsupported)
        throw this.error(`${info.unsupported} is not supported`, token.pos, 'unsupported');
      this.next();
      const right = this.parseExpression(info.right ? info.prec : info.prec + 1);
      left = { type: 'binary', op: info.op as BinaryOp, left, right, pos: token.pos };
    }
    return left;
  }

  private parseUnary(): Node {
    const token = this.peek();
    if (
      (token.kind === 'operator' && token.value === '!') ||
      (token.kind === 'name' && token.value === 'not')
    ) {
      this.next();
      return { type: 'unary', op: '!', operand: this.parseExpression(UNARY_NOT), pos: token.pos };
    }
    if (token.kind === 'operator' && (token.value === '-' || token.value === '+')) {
      this.next();
      return {
        type: 'unary',
        op: token.value,
        operand: this.parseExpression(UNARY_SIGN),
        pos: token.pos,
      };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePrimary(): Node {
    const token = this.next();
    switch (token.kind) {
      case 'number':
        return { type: 'literal', value: token.number as number, pos: token.pos };
      case 'string':
        return { type: 'literal', value: token.value, pos: token.pos };
      case 'pointer':
        if (token.value !== '#') {
          throw this.error(
            `the pointer ${token.value} is not supported (only # is)`,
            token.pos,
            'unsupported',
          );
        }
        if (this.predicateDepth === 0) {
          throw this.error(
            '# can only be used inside a predicate such as all(result, # > 0)',
            token.pos,
            'syntax',
          );
        }
        return { type: 'pointer', pos: token.pos };
      case 'name':
        return this.parseName(token);
      case 'bracket':
        if (token.value === '(') {
          const inner = this.parseExpression(0);
          this.expect(')');
          return inner;
        }
        if (token.value === '[') {
          const items: Node[] = [];
          while (!this.is(']')) {
            items.push(this.parseExpression(0));
            if (!this.is(']')) this.expect(',');
          }
          this.expect(']');
          return { type: 'array', items, pos: token.pos };
        }
        if (token.value === '{') throw this.error('map literals are not supported', token.pos, 'unsupported');
        throw this.error(`unexpected ${describe(token)}`, token.pos, 'syntax');
      case 'eof':
        throw this.error('the expression ends too early', token.pos, 'syntax');
      default:
        if (token.value === '.') {
          throw this.error('member shorthand (.field) is not supported', token.pos, 'unsupported');
        }
        throw this.error(`unexpected ${describe(token)}`, token.pos, 'syntax');
    }
  }

  private parseName(token: Token): Node {
    const name = token.value;
    if (name === 'true' || name === 'false')
      return { type: 'literal', value: name === 'true', pos: token.pos };
    if (name === 'nil') return { type: 'literal', value: null, pos: token.pos };
    if (!this.is('(')) {
      if (['and', 'or', 'in', 'not', 'matches', 'contains', 'startsWith', 'endsWith'].includes(name)) {
        throw this.error(`unexpected keyword ${name}`, token.pos, 'syntax');
      }
      if (name === 'let') throw this.error('let bindings are not supported', token.pos, 'unsupported');
      return { type: 'name', name, pos: token.pos };
    }
    this.next(); // (
    if (predicateFunctions.has(name)) {
      const collection = this.parseExpression(0);
      this.expect(',');
      const predicate = this.parsePredicate();
      this.expect(')');
      return { type: 'call', name, args: [collection, predicate], pos: token.pos };
    }
    if (!plainFunctions.has(name)) {
      throw this.error(`the function ${name}() is not supported`, token.pos, 'unsupported');
    }
    const args: Node[] = [];
    while (!this.is(')')) {
      args.push(this.parseExpression(0));
      if (!this.is(')')) this.expect(',');
    }
    this.expect(')');
    return { type: 'call', name, args, pos: token.pos };
  }

  private parsePredicate(): Node {
    this.predicateDepth++;
    try {
      if (this.is('{')) {
        this.next();
        const body = this.parseExpression(0);
        this.expect('}');
        return body;
      }
      return this.parseExpression(0);
    } finally {
      this.predicateDepth--;
    }
  }

  private parsePostfix(node: Node): Node {
    let current = node;
    for (;;) {
      const token = this.peek();
      if (this.is('[')) {
        this.next();
        if (this.is(':')) {
          this.next();
          const to = this.is(']') ? undefined : this.parseExpression(0);
          this.expect(']');
          current = { type: 'slice', target: current, to, pos: token.pos };
          continue;
        }
        const index = this.parseExpression(0);
        if (this.is(':')) {
          this.next();
          const to = this.is(']') ? undefined : this.parseExpression(0);
          this.expect(']');
          current = { type: 'slice', target: current, from: index, to, pos: token.pos };
          continue;
        }
        this.expect(']');
        current = { type: 'index', target: current, index, pos: token.pos };
        continue;
      }
      if (this.is('.') || this.is('?.')) {
        throw this.error('member access (a.b) is not supported', token.pos, 'unsupported');
      }
      if (this.is('(')) throw this.error('calling an expression is not supported', token.pos, 'unsupported');
      return current;
    }
  }
}

function describe(token: Token): string {
  if (token.kind === 'eof') return 'the end of the expression';
  if (token.kind === 'string') return `string ${JSON.stringify(token.value)}`;
  return `"${token.value}"`;
}
