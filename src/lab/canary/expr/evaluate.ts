/**
 * Evaluates a parsed condition over `result` the way Argo Rollouts does with expr-lang: `result` is a number
 * (Prometheus scalar) or an array of numbers (a vector's sample values), the builtins Argo adds are there
 * (isNaN, isInf, isNil, default, asInt, asFloat) next to expr-lang's (len, all, any, none, one, filter, map,
 * count, min, max, sum, mean, median, abs, ceil, floor, round, first, last), and a condition must yield a
 * boolean. Type mismatches and out-of-range indexes are errors, as in expr-lang, never a quiet false.
 */
import { ExprError } from './errors.js';
import { type Node, parse } from './parser.js';

export type Value = number | string | boolean | null | Value[];

export interface Scope {
  result: Value;
}

/** Parses once; the returned function evaluates against any result. */
export function compileCondition(expression: string): (scope: Scope) => boolean {
  const ast = parse(expression);
  return (scope) => {
    const value = new Evaluator(expression, scope).eval(ast, undefined);
    if (typeof value !== 'boolean') {
      throw new ExprError(expression, `expected bool, but got ${typeName(value)}`, undefined, 'type');
    }
    return value;
  };
}

export function evaluateCondition(expression: string, scope: Scope): boolean {
  return compileCondition(expression)(scope);
}

/** Evaluates any expression (not only booleans); used by tests and by the direction heuristic. */
export function evaluateExpression(expression: string, scope: Scope): Value {
  return new Evaluator(expression, scope).eval(parse(expression), undefined);
}

export function typeName(value: Value | undefined): string {
  if (value === null || value === undefined) return 'nil';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

class Evaluator {
  constructor(
    private readonly source: string,
    private readonly scope: Scope,
  ) {}

  private fail(detail: string, node: Node, kind: 'type' | 'runtime' = 'type'): never {
    throw new ExprError(this.source, detail, node.pos, kind);
  }

  eval(node: Node, pointer: Value | undefined): Value {
    switch (node.type) {
      case 'literal':
        return node.value;
      case 'name':
        if (node.name === 'result') return this.scope.result;
        return this.fail(`unknown name ${node.name} (only result is defined)`, node);
      case 'pointer':
        return pointer as Value;
      case 'array':
        return node.items.map((item) => this.eval(item, pointer));
      case 'unary':
        return this.unary(node, this.eval(node.operand, pointer));
      case 'conditional': {
        const test = this.eval(node.test, pointer);
        if (typeof test !== 'boolean')
          this.fail(`a ternary needs a bool condition, got ${typeName(test)}`, node);
        return this.eval(test ? node.then : node.else, pointer);
      }
      case 'binary':
        return this.binary(node, pointer);
      case 'index':
        return this.index(node, this.eval(node.target, pointer), this.eval(node.index, pointer));
      case 'slice':
        return this.slice(
          node,
          this.eval(node.target, pointer),
          node.from && this.eval(node.from, pointer),
          node.to && this.eval(node.to, pointer),
        );
      case 'call':
        return this.call(node, pointer);
    }
  }

  private unary(node: Extract<Node, { type: 'unary' }>, value: Value): Value {
    if (node.op === '!') {
      if (typeof value !== 'boolean') this.fail(`! needs a bool, got ${typeName(value)}`, node);
      return !value;
    }
    if (typeof value !== 'number') this.fail(`unary ${node.op} needs a number, got ${typeName(value)}`, node);
    return node.op === '-' ? -value : value;
  }

  private binary(node: Extract<Node, { type: 'binary' }>, pointer: Value | undefined): Value {
    if (node.op === '&&' || node.op === '||') {
      const left = this.eval(node.left, pointer);
      if (typeof left !== 'boolean') this.fail(`${node.op} needs bools, got ${typeName(left)}`, node);
      if (node.op === '&&' ? !left : left) return left;
      const right = this.eval(node.right, pointer);
      if (typeof right !== 'boolean') this.fail(`${node.op} needs bools, got ${typeName(right)}`, node);
      return right;
    }
    const left = this.eval(node.left, pointer);
    const right = this.eval(node.right, pointer);
    switch (node.op) {
      case '==':
        return equal(left, right);
      case '!=':
        return !equal(left, right);
      case 'in':
      case 'not in': {
        if (!Array.isArray(right))
          this.fail(`${node.op} needs an array on the right, got ${typeName(right)}`, node);
        const found = right.some((item) => equal(item, left));
        return node.op === 'in' ? found : !found;
      }
      case '<':
      case '>':
      case '<=':
      case '>=':
        return this.compare(node, left, right);
      case '+':
        if (typeof left === 'string' && typeof right === 'string') return left + right;
        return this.arithmetic(node, left, right);
      default:
        return this.arithmetic(node, left, right);
    }
  }

  private compare(node: Extract<Node, { type: 'binary' }>, left: Value, right: Value): boolean {
    const bothNumbers = typeof left === 'number' && typeof right === 'number';
    const bothStrings = typeof left === 'string' && typeof right === 'string';
    if (!bothNumbers && !bothStrings) {
      this.fail(
        `invalid operation ${node.op} (mismatched types ${typeName(left)} and ${typeName(right)})`,
        node,
      );
    }
    const a = left as number | string;
    const b = right as number | string;
    switch (node.op) {
      case '<':
        return a < b;
      case '>':
        return a > b;
      case '<=':
        return a <= b;
      default:
        return a >= b;
    }
  }

  private arithmetic(node: Extract<Node, { type: 'binary' }>, left: Value, right: Value): number {
    if (typeof left !== 'number' || typeof right !== 'number') {
      return this.fail(
        `invalid operation ${node.op} (mismatched types ${typeName(left)} and ${typeName(right)})`,
        node,
      );
    }
    switch (node.op) {
      case '+':
        return left + right;
      case '-':
        return left - right;
      case '*':
        return left * right;
      case '/':
        return left / right;
      case '%':
        if (!Number.isInteger(left) || !Number.isInteger(right)) {
          return this.fail('% needs integers', node);
        }
        if (right === 0) return this.fail('integer divide by zero', node, 'runtime');
        return left % right;
      default:
        return left ** right;
    }
  }

  private index(node: Node, target: Value, index: Value): Value {
    if (typeof index !== 'number' || !Number.isInteger(index)) {
      return this.fail(`an index must be an integer, got ${typeName(index)} ${String(index)}`, node);
    }
    if (Array.isArray(target) || typeof target === 'string') {
      const position = index < 0 ? target.length + index : index;
      if (position < 0 || position >= target.length) {
        return this.fail(`index out of range: ${index} (array length is ${target.length})`, node, 'runtime');
      }
      return Array.isArray(target) ? (target[position] as Value) : target.charAt(position);
    }
    return this.fail(`cannot index ${typeName(target)}`, node);
  }

  private slice(node: Node, target: Value, from: Value | undefined, to: Value | undefined): Value {
    if (!Array.isArray(target) && typeof target !== 'string')
      return this.fail(`cannot slice ${typeName(target)}`, node);
    const bound = (value: Value | undefined, fallback: number): number => {
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return this.fail(`a slice bound must be an integer, got ${typeName(value)}`, node);
      }
      const position = value < 0 ? target.length + value : value;
      return Math.min(Math.max(position, 0), target.length);
    };
    const start = bound(from, 0);
    const end = Math.max(start, bound(to, target.length));
    return target.slice(start, end);
  }

  private call(node: Extract<Node, { type: 'call' }>, pointer: Value | undefined): Value {
    const { name } = node;
    if (['all', 'any', 'none', 'one', 'filter', 'map', 'count'].includes(name)) {
      const collection = this.eval(node.args[0] as Node, pointer);
      if (!Array.isArray(collection))
        return this.fail(`${name}() needs an array, got ${typeName(collection)}`, node);
      const predicate = node.args[1] as Node;
      const test = (item: Value): boolean => {
        const value = this.eval(predicate, item);
        if (typeof value !== 'boolean')
          this.fail(`the predicate of ${name}() must be a bool, got ${typeName(value)}`, node);
        return value;
      };
      switch (name) {
        case 'all':
          return collection.every(test);
        case 'any':
          return collection.some(test);
        case 'none':
          return !collection.some(test);
        case 'one':
          return collection.filter(test).length === 1;
        case 'filter':
          return collection.filter(test);
        case 'count':
          return collection.filter(test).length;
        default:
          return collection.map((item) => this.eval(predicate, item));
      }
    }
    const args = node.args.map((arg) => this.eval(arg, pointer));
    const arity = (n: number) => {
      if (args.length !== n)
        this.fail(`${name}() takes ${n} argument${n === 1 ? '' : 's'}, got ${args.length}`, node);
    };
    const number = (value: Value | undefined): number => {
      if (typeof value !== 'number')
        return this.fail(`${name}() needs a number, got ${typeName(value)}`, node);
      return value;
    };
    const numbers = (value: Value | undefined): number[] => {
      if (!Array.isArray(value)) return this.fail(`${name}() needs an array, got ${typeName(value)}`, node);
      return value.map(number);
    };
    switch (name) {
      case 'len': {
        arity(1);
        const value = args[0] as Value;
        if (Array.isArray(value) || typeof value === 'string') return value.length;
        return this.fail(`len() needs an array or a string, got ${typeName(value)}`, node);
      }
      case 'isNaN':
        arity(1);
        return Number.isNaN(number(args[0]));
      case 'isInf':
        arity(1);
        return Math.abs(number(args[0])) === Number.POSITIVE_INFINITY;
      case 'isNil':
        arity(1);
        return args[0] === null;
      case 'default':
        arity(2);
        return args[0] === null ? (args[1] as Value) : (args[0] as Value);
      case 'asInt':
      case 'int':
        arity(1);
        return Math.trunc(this.toNumber(node, args[0] as Value));
      case 'asFloat':
      case 'float':
        arity(1);
        return this.toNumber(node, args[0] as Value);
      case 'abs':
        arity(1);
        return Math.abs(number(args[0]));
      case 'ceil':
        arity(1);
        return Math.ceil(number(args[0]));
      case 'floor':
        arity(1);
        return Math.floor(number(args[0]));
      case 'round':
        arity(1);
        return roundHalfAway(number(args[0]));
      case 'min':
      case 'max': {
        const values = args.length === 1 && Array.isArray(args[0]) ? numbers(args[0]) : args.map(number);
        if (values.length === 0) return this.fail(`${name}() of nothing`, node, 'runtime');
        return name === 'min' ? Math.min(...values) : Math.max(...values);
      }
      case 'sum':
        arity(1);
        return numbers(args[0]).reduce((a, b) => a + b, 0);
      case 'mean': {
        arity(1);
        const values = numbers(args[0]);
        if (values.length === 0) return this.fail('mean() of an empty array', node, 'runtime');
        return values.reduce((a, b) => a + b, 0) / values.length;
      }
      case 'median': {
        arity(1);
        const values = numbers(args[0]).sort((a, b) => a - b);
        if (values.length === 0) return this.fail('median() of an empty array', node, 'runtime');
        const mid = Math.floor(values.length / 2);
        return values.length % 2 === 1
          ? (values[mid] as number)
          : ((values[mid - 1] as number) + (values[mid] as number)) / 2;
      }
      case 'first':
      case 'last': {
        arity(1);
        const value = args[0] as Value;
        if (!Array.isArray(value)) return this.fail(`${name}() needs an array, got ${typeName(value)}`, node);
        return (name === 'first' ? value[0] : value[value.length - 1]) ?? null;
      }
      default:
        return this.fail(`the function ${name}() is not supported`, node);
    }
  }

  private toNumber(node: Node, value: Value): number {
    if (typeof value === 'number') return value;
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
      return Number(value);
    return this.fail(
      `cannot convert ${typeName(value)} ${JSON.stringify(value)} to a number`,
      node,
      'runtime',
    );
  }
}

function roundHalfAway(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value));
}

function equal(a: Value, b: Value): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => equal(item, b[i] as Value));
  }
  return a === b;
}
