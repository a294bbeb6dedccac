/**
 * Compiles and runs a condition the way Argo Rollouts v1.8.3 does (utils/evaluate/evaluate.go EvalCondition):
 * parse, type-check against the environment (`result` plus Argo's asInt, asFloat, isNaN, isInf, isNil,
 * default), then run, and require a bool. The runtime follows expr v1.15.5 vm/runtime (runtime.go,
 * generated.go) and builtin/builtin.go, the version Argo pins. Go ints are bigints here and Go float64s are
 * numbers, so `%` on a float, `7 / 2` (a float) and `len(result) == 2` behave as in Go.
 */
import { callBuiltin, goParseFloat, goTruncate } from './builtins.js';
import { type CheckEnv, check, T, type Type } from './checker.js';
import { ExprError } from './errors.js';
import { formatTime, GoDuration, GoTime, RFC3339Nano } from './gotime.js';
import { callDurationMethod, callTimeMethod, durationMethods, timeMethods } from './methods.js';
import { type Node, parse, predicateBuiltins } from './parser.js';
import { matchString } from './regexp.js';
import {
  assertionError,
  GoAnyMap,
  GoBytes,
  GoLocation,
  GoNamedInt,
  type GoValue,
  goCompare,
  goEqual,
  INT64,
  isMapValue,
  isNum,
  kindName,
  runtimeTypeName,
  sliceOf,
} from './values.js';

export { type GoValue, goEqual, runtimeTypeName };

/** A value as providers give it: numbers are float64 (Prometheus samples, JSON numbers). */
export type Value = number | string | boolean | null | Value[] | { [key: string]: Value };

export interface Scope {
  result: GoValue;
  /** The Go type of `result`; default: inferred as the Prometheus provider would type it. */
  resultType?: Type;
  /** The judge's clock for now() (injected; the evaluator never reads the system clock itself). */
  now?: () => Date;
}

/**
 * The Go type a provider gives `result`: argo-rollouts v1.8.3 metricproviders/prometheus/prometheus.go
 * processResponse passes float64 for a scalar and []float64 for a vector or a (flattened) matrix; the web
 * provider passes JSON-decoded values (interface{}), so `json` types arrays and maps with interface{} elements.
 */
export function typeOfValue(value: GoValue, json = false): Type {
  if (value === null) return T.nil;
  if (typeof value === 'bigint') return T.int;
  if (typeof value === 'number') return T.float;
  if (typeof value === 'string') return T.string;
  if (typeof value === 'boolean') return T.bool;
  if (value instanceof GoBytes) return T.array({ k: 'int', go: 'uint8' });
  if (Array.isArray(value)) {
    if (!json && value.every((item) => typeof item === 'number')) return T.array(T.float);
    return T.array(T.any);
  }
  return T.map(T.any);
}

export interface Compiled {
  /** The static type of the expression. */
  type: Type;
  run(scope: Scope): GoValue;
}

/** Parses and type-checks for the result's type; throws ExprError (kind syntax/type). */
export function compile(expression: string, env: CheckEnv): Compiled {
  const ast = parse(expression);
  const argumentTypes = new WeakMap<Node, Type>();
  const type = check(expression, ast, env, argumentTypes);
  return { type, run: (scope) => new Evaluator(expression, scope, argumentTypes).eval(ast) };
}

/** argo-rollouts v1.8.3 utils/evaluate/evaluate.go EvalCondition: compile, run, require a bool. */
export function evaluateCondition(expression: string, scope: Scope): boolean {
  const compiled = compile(expression, { result: scope.resultType ?? typeOfValue(scope.result) });
  const value = compiled.run(scope);
  if (typeof value !== 'boolean') {
    throw new ExprError(expression, `expected bool, but got ${runtimeTypeName(value)}`, undefined, 'type');
  }
  return value;
}

/** Evaluates any expression (not only booleans), with Go ints returned as numbers. */
export function evaluateExpression(expression: string, scope: Scope): Value {
  const compiled = compile(expression, { result: scope.resultType ?? typeOfValue(scope.result) });
  return toValue(compiled.run(scope));
}

/** A GoValue as plain data: ints as numbers, a time as RFC 3339 text, a duration as nanoseconds. */
export function toValue(value: GoValue): Value {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof GoTime) return formatTime(value, RFC3339Nano);
  if (value instanceof GoDuration) return Number(value.ns);
  if (value instanceof GoNamedInt) return Number(value.value);
  if (value instanceof GoLocation) return value.toString();
  if (value instanceof GoBytes) return value.base64(); // as encoding/json
  if (Array.isArray(value)) return value.map(toValue);
  if (value instanceof GoAnyMap)
    return Object.fromEntries([...value.entries.values()].map(([k, v]) => [String(toValue(k)), toValue(v)]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toValue(v)]));
  }
  return value;
}

class ChainNil {}

class Evaluator {
  private readonly pointers: { item: GoValue; index: number; acc: GoValue }[] = [];
  private readonly vars: { name: string; value: GoValue }[] = [];

  constructor(
    private readonly source: string,
    private readonly scope: Scope,
    private readonly argumentTypes: WeakMap<Node, Type>,
  ) {}

  private fail(detail: string, node: Node): never {
    throw new ExprError(this.source, detail, node.pos, 'runtime');
  }

  eval(node: Node): GoValue {
    switch (node.type) {
      case 'nil':
        return null;
      case 'bool':
      case 'int':
      case 'float':
      case 'string':
        return node.value;
      case 'name': {
        for (let i = this.vars.length - 1; i >= 0; i--) {
          const v = this.vars[i] as { name: string; value: GoValue };
          if (v.name === node.name) return v.value;
        }
        if (node.name === 'result') return this.scope.result;
        if (node.name === '$env') return { result: this.scope.result };
        return this.fail(`${node.name} is a function; call it`, node);
      }
      case 'pointer': {
        const top = this.pointers[this.pointers.length - 1];
        if (!top) return this.fail('cannot use pointer accessor outside closure', node);
        if (node.name === 'index') return BigInt(top.index);
        if (node.name === 'acc') return top.acc;
        return top.item;
      }
      case 'array':
        return node.items.map((item) => this.eval(item));
      case 'map': {
        const out: { [key: string]: GoValue } = {};
        for (const pair of node.pairs) out[String(this.eval(pair.key))] = this.eval(pair.value);
        return out;
      }
      case 'unary': {
        const v = this.eval(node.operand);
        if (node.op === 'not') {
          if (typeof v !== 'boolean') return this.fail(assertionError(v, 'bool'), node);
          return !v;
        }
        if (typeof v === 'bigint' && node.op === '-') {
          // vm/runtime/runtime.go Negate keeps the operand's Go type: a negated byte wraps around as a uint8 does.
          if (integerHeld(node.operand, this.argumentTypes.get(node.operand)) === 'uint8')
            return (256n - v) % 256n;
          return INT64(-v);
        }
        if (typeof v === 'bigint') return v;
        if (typeof v === 'number') return node.op === '-' ? -v : v;
        return this.fail(`invalid operation: ${node.op} ${runtimeTypeName(v)}`, node);
      }
      case 'conditional': {
        const test = this.eval(node.test);
        if (typeof test !== 'boolean') return this.fail(assertionError(test, 'bool'), node);
        return this.eval(test ? node.then : node.else);
      }
      case 'binary':
        return this.binary(node);
      case 'chain':
        try {
          return this.eval(node.node);
        } catch (error) {
          if (error instanceof ChainNil) return null;
          throw error;
        }
      case 'member': {
        const target = this.eval(node.target);
        if (target === null && node.optional) throw new ChainNil();
        return this.fetch(node, target, this.eval(node.property));
      }
      case 'slice':
        return this.slice(node);
      case 'closure':
        return this.eval(node.body);
      case 'let': {
        this.vars.push({ name: node.name, value: this.eval(node.value) });
        try {
          return this.eval(node.body);
        } finally {
          this.vars.pop();
        }
      }
      case 'call':
        return this.call(node);
      case 'method': {
        const target = this.eval(node.target);
        if (target === null && node.optional) throw new ChainNil();
        const fail = (detail: string): never => this.fail(detail, node);
        const table =
          target instanceof GoTime ? timeMethods : target instanceof GoDuration ? durationMethods : {};
        const params = Object.hasOwn(table, node.name) ? (table[node.name]?.params ?? []) : [];
        // checker.go checkArguments retypes an integer constant passed for a time.Duration parameter
        // (traverseAndReplaceIntegerNodesWithIntegerNodes): now().Add(1) adds one nanosecond.
        const args = node.args.map((arg, i) => {
          const value = this.eval(arg);
          const want = params[i];
          // vm/vm.go OpCall hands the value to reflect's Call, which wants the parameter's exact type: an int64
          // (Unix()) or a byte where an int is wanted panics, though the checker let it through.
          const held = integerHeld(arg, this.argumentTypes.get(arg));
          if (want?.k === 'int' && !want.go && held && held !== 'int')
            return fail(`reflect: Call using ${held} as type int`);
          if (
            want?.k === 'int' &&
            want.go === 'time.Duration' &&
            typeof value === 'bigint' &&
            integerConstant(arg)
          )
            return new GoDuration(value);
          return value;
        });
        if (target instanceof GoTime) return callTimeMethod(target, node.name, args, fail);
        if (target instanceof GoDuration) return callDurationMethod(target, node.name, args, fail);
        if ((target instanceof GoNamedInt || target instanceof GoLocation) && node.name === 'String')
          return target.toString();
        // vm/vm.go OpCall on a value that is not a function: reflect's panic.
        const member = this.fetch(node, target, node.name);
        return fail(
          `reflect: call of reflect.Value.Call on ${member === null ? 'zero' : kindName(member)} Value`,
        );
      }
    }
  }

  // expr v1.15.5 vm/runtime/runtime.go Fetch: negative indexes count from the end; a missing map key is nil.
  private fetch(node: Node, from: GoValue, key: GoValue): GoValue {
    if (Array.isArray(from) || typeof from === 'string') {
      if (!isNum(key)) return this.fail(`cannot fetch ${String(key)} from ${runtimeTypeName(from)}`, node);
      // A Go string indexes its UTF-8 bytes; reflect's Index panics past either end (expr_test.go
      // TestExpr_error: "reflect: slice index out of range").
      const items = Array.isArray(from) ? from : [...Buffer.from(from)].map((b) => BigInt(b));
      let index = Number(key);
      if (index < 0) index += items.length;
      if (!Number.isInteger(index) || index < 0 || index >= items.length)
        return this.fail(`reflect: ${Array.isArray(from) ? 'slice' : 'string'} index out of range`, node);
      return items[index] as GoValue;
    }
    if (isMapValue(from)) {
      const k = String(key);
      return Object.hasOwn(from, k) ? (from[k] as GoValue) : null;
    }
    if (from instanceof GoAnyMap) {
      try {
        return from.get(key) ?? null;
      } catch (error) {
        return this.fail((error as Error).message, node);
      }
    }
    return this.fail(`cannot fetch ${String(key)} from ${runtimeTypeName(from)}`, node);
  }

  private slice(node: Extract<Node, { type: 'slice' }>): GoValue {
    const target = this.eval(node.target);
    if (!Array.isArray(target) && typeof target !== 'string')
      return this.fail(`cannot slice ${runtimeTypeName(target)}`, node);
    // vm/runtime/runtime.go Slice: bounds from the end when negative, clamped; a string slices its bytes.
    const bytes = typeof target === 'string' ? Buffer.from(target) : undefined;
    const length = bytes ? bytes.length : (target as GoValue[]).length;
    const bound = (n: Node | undefined, fallback: number): number => {
      if (!n) return fallback;
      const v = this.eval(n);
      if (!isNum(v)) return this.fail(`non-integer slice index ${runtimeTypeName(v)}`, node);
      let i = Number(v);
      if (i < 0) i += length;
      return Math.min(Math.max(i, 0), length);
    };
    const from = bound(node.from, 0);
    const to = Math.max(from, bound(node.to, length));
    return bytes ? bytes.subarray(from, to).toString('utf8') : sliceOf(target as GoValue[], from, to);
  }

  private binary(node: Extract<Node, { type: 'binary' }>): GoValue {
    const op = node.op;
    if (op === '&&' || op === '||') {
      const left = this.eval(node.left);
      if (typeof left !== 'boolean') return this.fail(assertionError(left, 'bool'), node);
      if (op === '&&' ? !left : left) return left;
      const right = this.eval(node.right);
      if (typeof right !== 'boolean') return this.fail(assertionError(right, 'bool'), node);
      return right;
    }
    if (op === '??') {
      const left = this.eval(node.left);
      return left === null ? this.eval(node.right) : left;
    }
    const l = this.eval(node.left);
    const r = this.eval(node.right);
    const mismatch = (): never =>
      this.fail(`invalid operation: ${runtimeTypeName(l)} ${op} ${runtimeTypeName(r)}`, node);
    switch (op) {
      case '==':
        return goEqual(l, r);
      case '!=':
        return !goEqual(l, r);
      case '<':
      case '>':
      case '<=':
      case '>=':
        return goCompare(op, l, r) ?? mismatch();
      case '+':
        if (typeof l === 'string' && typeof r === 'string') return l + r;
        // generated.go Add: time + duration, duration + time, duration + duration.
        if (l instanceof GoTime && r instanceof GoDuration) return new GoTime(l.ns + r.ns, l.zone);
        if (l instanceof GoDuration && r instanceof GoTime) return new GoTime(r.ns + l.ns, r.zone);
        if (l instanceof GoDuration && r instanceof GoDuration) return new GoDuration(INT64(l.ns + r.ns));
        return this.arithmetic(node, l, r, mismatch);
      case '-':
        // generated.go Subtract: time - time is a duration, time - duration a time.
        if (l instanceof GoTime && r instanceof GoTime) return new GoDuration(INT64(l.ns - r.ns));
        if (l instanceof GoTime && r instanceof GoDuration) return new GoTime(l.ns - r.ns, l.zone);
        if (l instanceof GoDuration && r instanceof GoDuration) return new GoDuration(INT64(l.ns - r.ns));
        return this.arithmetic(node, l, r, mismatch);
      case '*': {
        // generated.go Multiply: a duration times an integer (either side) is a duration, times a float
        // a float64 of nanoseconds.
        const ld = l instanceof GoDuration;
        const rd = r instanceof GoDuration;
        if (ld || rd) {
          const a = ld ? (l as GoDuration).ns : l;
          const b = rd ? (r as GoDuration).ns : r;
          if (!isNum(a) || !isNum(b)) return mismatch();
          if (typeof a === 'bigint' && typeof b === 'bigint') return new GoDuration(INT64(a * b));
          return Number(a) * Number(b);
        }
        return this.arithmetic(node, l, r, mismatch);
      }
      case '/':
        if (!isNum(l) || !isNum(r)) return mismatch();
        return Number(l) / Number(r);
      case '**':
        if (!isNum(l) || !isNum(r)) return mismatch();
        return Number(l) ** Number(r);
      case '%':
        // expr v1.15.5 vm/runtime/generated.go Modulo: ints only; a zero divisor panics.
        if (typeof l !== 'bigint' || typeof r !== 'bigint') return mismatch();
        if (r === 0n) return this.fail('integer divide by zero', node);
        return l % r;
      case 'in':
        if (Array.isArray(r)) return r.some((item) => goEqual(l, item));
        if (isMapValue(r)) return typeof l === 'string' && Object.hasOwn(r, l);
        if (r instanceof GoAnyMap) return r.has(l);
        return this.fail(`operator "in" not defined on ${runtimeTypeName(r)}`, node);
      case '..': {
        if (typeof l !== 'bigint' || typeof r !== 'bigint') return mismatch();
        const out: bigint[] = [];
        for (let i = l; i <= r; i++) out.push(i);
        return out;
      }
      case 'matches':
        // vm/vm.go OpMatches: regexp.MatchString(b.(string), a.(string)), Go's RE2; a bad pattern panics
        // with Go's message, a value that is not a string with the type assertion's.
        if (typeof r !== 'string') return this.fail(assertionError(r, 'string'), node);
        if (typeof l !== 'string') return this.fail(assertionError(l, 'string'), node);
        try {
          return matchString(r, l);
        } catch (error) {
          return this.fail((error as Error).message, node);
        }
      case 'contains':
      case 'startsWith':
      case 'endsWith':
        // vm/vm.go OpContains, OpStartsWith, OpEndsWith: strings.Contains(a.(string), b.(string)) etc.
        if (typeof l !== 'string') return this.fail(assertionError(l, 'string'), node);
        if (typeof r !== 'string') return this.fail(assertionError(r, 'string'), node);
        if (op === 'contains') return l.includes(r);
        return op === 'startsWith' ? l.startsWith(r) : l.endsWith(r);
    }
    return this.fail(`unknown operator ${op}`, node);
  }

  private arithmetic(node: Extract<Node, { type: 'binary' }>, l: GoValue, r: GoValue, mismatch: () => never) {
    if (!isNum(l) || !isNum(r)) return mismatch();
    if (typeof l === 'bigint' && typeof r === 'bigint') {
      if (node.op === '+') return INT64(l + r);
      if (node.op === '-') return INT64(l - r);
      return INT64(l * r);
    }
    const a = Number(l);
    const b = Number(r);
    if (node.op === '+') return a + b;
    if (node.op === '-') return a - b;
    return a * b;
  }

  private call(node: Extract<Node, { type: 'call' }>): GoValue {
    const { name } = node;
    if (predicateBuiltins.has(name)) return this.predicate(node);
    const args = node.args.map((arg) => this.eval(arg));
    const a = args[0] as GoValue;
    switch (name) {
      // argo-rollouts v1.8.3 utils/evaluate/evaluate.go: Argo's own functions.
      case 'asInt':
        return this.asInt(node, a);
      case 'asFloat':
        return this.asFloat(node, a);
      case 'isNaN':
      case 'isInf': {
        // math.IsNaN / isInf take float64: an integer constant is converted at compile time (checker.go
        // traverseAndReplaceIntegerNodesWithFloatNodes), any other int
        // value makes the reflect call panic.
        const arg = node.args[0] as Node;
        let x: number;
        if (typeof a === 'number') x = a;
        else if (typeof a === 'bigint' && integerConstant(arg)) x = Number(a);
        else return this.fail(`reflect: Call using ${runtimeTypeName(a)} as type float64`, node);
        return name === 'isNaN' ? Number.isNaN(x) : Math.abs(x) === Number.POSITIVE_INFINITY;
      }
      // builtin/func.go Type names the Go kind: a byte of a []uint8 is a uint8, "uint", though the runtime holds it
      // as an int here (values.ts GoBytes); arithmetic on it gives an int (integerHeld).
      case 'type':
        if (
          integerHeld(node.args[0] as Node, this.argumentTypes.get(node.args[0] as Node))?.startsWith('uint')
        )
          return 'uint';
        break;
      // isNil and default ignore their argument and look at the whole result (isNilFunc, defaultFunc).
      case 'isNil':
        return this.scope.result === null;
      case 'default':
        return this.scope.result === null ? (args[1] as GoValue) : this.scope.result;
    }
    // expr v1.15.5 builtin/builtin.go (builtins.ts).
    return callBuiltin(name, args, {
      now: this.scope.now,
      fail: (detail) => this.fail(detail, node),
    });
  }

  // expr v1.15.5 compiler/compiler.go BuiltinNode and vm/vm.go (OpBegin … OpEnd): the closure builtins.
  private predicate(node: Extract<Node, { type: 'call' }>): GoValue {
    const { name } = node;
    const collection = this.eval(node.args[0] as Node);
    if (!Array.isArray(collection))
      return this.fail(`builtin ${name} takes only array (got ${runtimeTypeName(collection)})`, node);
    const body = node.args[1] as Node;
    let acc: GoValue = null;
    const run = (item: GoValue, index: number): GoValue => {
      this.pointers.push({ item, index, acc });
      try {
        return this.eval(body);
      } finally {
        this.pointers.pop();
      }
    };
    const test = (item: GoValue, index: number): boolean => {
      const v = run(item, index);
      if (typeof v !== 'boolean') return this.fail(assertionError(v, 'bool'), node);
      return v;
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
        return BigInt(collection.filter(test).length);
      case 'map':
        return collection.map(run);
      case 'find':
        return collection.find(test) ?? null;
      case 'findLast':
        return collection.findLast(test) ?? null;
      // findIndex and findLastIndex push nil, not -1, when nothing matches (compiler.go OpNil).
      case 'findIndex': {
        const i = collection.findIndex(test);
        return i < 0 ? null : BigInt(i);
      }
      case 'findLastIndex': {
        const i = collection.findLastIndex(test);
        return i < 0 ? null : BigInt(i);
      }
      case 'groupBy': {
        // vm.go OpGroupBy: map[any][]any keyed by the closure's value, with Go map-key identity.
        const groups = new GoAnyMap('map[interface {}][]interface {}', collection.length === 0);
        collection.forEach((item, index) => {
          const key = run(item, index);
          try {
            const group = groups.get(key) as GoValue[] | undefined;
            if (group) group.push(item);
            else groups.set(key, [item]);
          } catch (error) {
            this.fail((error as Error).message, node);
          }
        });
        return groups;
      }
      default: {
        // reduce: #acc starts at the third argument, or at the first element (and the loop at the second);
        // with neither, OpPointer indexes an empty slice and panics.
        let start = 0;
        if (node.args[2]) acc = this.eval(node.args[2]);
        else {
          if (collection.length === 0) return this.fail('reflect: slice index out of range', node);
          acc = collection[0] as GoValue;
          start = 1;
        }
        for (let index = start; index < collection.length; index++)
          acc = run(collection[index] as GoValue, index);
        return acc;
      }
    }
  }

  // argo-rollouts v1.8.3 utils/evaluate/evaluate.go asInt: numbers convert (floats truncate), strings go
  // through strconv.ParseInt (so "1.1" panics), anything else panics; expr turns the panic into an error.
  private asInt(node: Node, a: GoValue): GoValue {
    if (typeof a === 'bigint') return a;
    if (typeof a === 'number') return goTruncate(a);
    if (typeof a === 'string') {
      if (!/^[+-]?\d+$/.test(a))
        return this.fail(`strconv.ParseInt: parsing ${JSON.stringify(a)}: invalid syntax`, node);
      const v = BigInt(a);
      if (v !== INT64(v))
        return this.fail(`strconv.ParseInt: parsing ${JSON.stringify(a)}: value out of range`, node);
      return v;
    }
    return this.fail(`asInt() not supported on ${runtimeTypeName(a)} ${String(a)}`, node);
  }

  private asFloat(node: Node, a: GoValue): GoValue {
    if (isNum(a)) return Number(a);
    if (typeof a === 'string') return this.parseFloat(node, a);
    return this.fail(`asFloat() not supported on ${runtimeTypeName(a)} ${String(a)}`, node);
  }

  private parseFloat(node: Node, s: string): number {
    const f = goParseFloat(s);
    if (f === null)
      return this.fail(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`, node);
    return f;
  }
}

/**
 * The Go integer type an argument holds at run time, from its static type: a constant takes the parameter's type
 * (checker.go traverseAndReplaceIntegerNodesWithIntegerNodes), arithmetic gives an int (vm/runtime/generated.go),
 * a negation keeps its operand's type (runtime.go Negate); anything else is what the checker typed it.
 */
function integerHeld(node: Node, type: Type | undefined): string | undefined {
  if (type?.k !== 'int' || integerConstant(node)) return undefined;
  if (node.type === 'binary') return 'int';
  if (node.type === 'unary' && node.op === '-') return integerHeld(node.operand, type);
  return type.go ?? 'int';
}

/** An integer literal, or +, - and * of them: what checker.go retypes to an integer parameter's type. */
function integerConstant(node: Node): boolean {
  if (node.type === 'int') return true;
  if (node.type === 'unary') return node.op !== 'not' && integerConstant(node.operand);
  if (node.type === 'binary')
    return ['+', '-', '*'].includes(node.op) && integerConstant(node.left) && integerConstant(node.right);
  return false;
}
