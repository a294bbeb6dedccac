/**
 * The type checker expr runs at compile time, before any evaluation (expr v1.15.5 checker/checker.go and
 * checker/types.go, the version Argo Rollouts v1.8.3 pins). Argo compiles each condition with
 * `expr.Env(env)` (argo-rollouts v1.8.3 utils/evaluate/evaluate.go EvalCondition), so the checker knows the
 * Go type of `result` and of Argo's functions, and is strict about unknown names. A check error is a
 * measurement Error in Argo, even when evaluation would have produced a value: `result == 0` on a vector is
 * "invalid operation: == (mismatched types []float64 and int)", never false.
 */
import { ExprError } from './errors.js';
import { durationMethods, stringerMethods, threeResultMethods, timeMethods } from './methods.js';
import { builtinNames, type Node, predicateBuiltins } from './parser.js';
import { compileRegexp } from './regexp.js';

export type Type =
  | { k: 'nil' }
  | { k: 'any' }
  | { k: 'bool' }
  | { k: 'int'; go?: string }
  | { k: 'float' }
  | { k: 'string' }
  | { k: 'array'; elem: Type; literal?: Type }
  | { k: 'map'; elem: Type; key?: Type }
  | { k: 'time' }
  | { k: 'location' }
  | { k: 'func'; name: string };

export const T = {
  nil: { k: 'nil' } as Type,
  any: { k: 'any' } as Type,
  bool: { k: 'bool' } as Type,
  int: { k: 'int' } as Type,
  int64: { k: 'int', go: 'int64' } as Type,
  float: { k: 'float' } as Type,
  string: { k: 'string' } as Type,
  array: (elem: Type): Type => ({ k: 'array', elem }),
  map: (elem: Type): Type => ({ k: 'map', elem }),
  /** time.Time (a struct in Go). */
  time: { k: 'time' } as Type,
  /** time.Duration: an int64 kind in Go, so checker/types.go counts it as an integer and a number. */
  duration: { k: 'int', go: 'time.Duration' } as Type,
  /** map[interface {}]V, as groupBy and fromPairs return (expr v1.15.5 builtin/utils.go mapType). */
  anyMap: (elem: Type): Type => ({ k: 'map', elem, key: { k: 'any' } }),
};

/** Go's spelling of a type, as expr's messages print it. */
export function goName(t: Type): string {
  switch (t.k) {
    case 'nil':
      return '<nil>';
    case 'any':
      return 'interface {}';
    case 'int':
      return t.go ?? 'int';
    case 'float':
      return 'float64';
    case 'array':
      return `[]${goName(t.elem)}`;
    case 'map':
      return `map[${t.key ? goName(t.key) : 'string'}]${goName(t.elem)}`;
    case 'time':
      return 'time.Time';
    case 'location':
      return '*time.Location';
    case 'func':
      return 'func';
    default:
      return t.k;
  }
}

const isAny = (t: Type) => t.k === 'any';
const isInt = (t: Type) => t.k === 'int';
const isNumber = (t: Type) => t.k === 'int' || t.k === 'float';
const isString = (t: Type) => t.k === 'string';
const isBool = (t: Type) => t.k === 'bool';
const isArray = (t: Type) => t.k === 'array';
const isMap = (t: Type) => t.k === 'map';
const isTime = (t: Type) => t.k === 'time';
const isDuration = (t: Type) => t.k === 'int' && t.go === 'time.Duration';
/**
 * Go's reflect.Kind of an integer type: int64 and time.Duration are Int64, a byte of a []byte is Uint8;
 * int, time.Month are Int.
 */
const intKinds: Record<string, string> = { int64: 'int64', 'time.Duration': 'int64', uint8: 'uint8' };
const intKind = (t: Type) => (t.k === 'int' && t.go && intKinds[t.go]) || 'int';

/** expr v1.15.5 checker/types.go `or`: one side is interface{} and the other passes one of the tests. */
function or(l: Type, r: Type, ...tests: ((t: Type) => boolean)[]): boolean {
  if (isAny(l) && isAny(r)) return true;
  if (isAny(l) && tests.some((f) => f(r))) return true;
  if (isAny(r) && tests.some((f) => f(l))) return true;
  return false;
}

/** expr v1.15.5 checker/types.go `combined`. */
function combined(l: Type, r: Type): Type {
  if (l.k === r.k && (l.k !== 'int' || intKind(l) === intKind(r))) return l;
  return l.k === 'float' || r.k === 'float' ? T.float : T.int;
}

/** expr v1.15.5 checker/types.go `isComparable`: nil compares with anything; same kind; numbers; any. */
function comparable(l: Type, r: Type): boolean {
  if (l.k === 'nil' || r.k === 'nil') return true;
  if (l.k === r.k && (l.k !== 'int' || intKind(l) === intKind(r))) return true;
  if (isNumber(l) && isNumber(r)) return true;
  return isAny(l) || isAny(r);
}

/** A function the environment provides: Argo's (argo-rollouts v1.8.3 utils/evaluate/evaluate.go). */
export interface EnvFunction {
  params: Type[];
  out: Type;
}

export const argoFunctions: Record<string, EnvFunction> = {
  // asInt(in any) int64, asFloat(in any) float64
  asInt: { params: [T.any], out: T.int64 },
  asFloat: { params: [T.any], out: T.float },
  // math.IsNaN(f float64) bool; isInf(f float64) bool
  isNaN: { params: [T.float], out: T.bool },
  isInf: { params: [T.float], out: T.bool },
  // isNilFunc(result) func(any) bool; defaultFunc(result) func(any, any) any
  isNil: { params: [T.any], out: T.bool },
  default: { params: [T.any, T.any], out: T.any },
};

/**
 * What expr.Env gives the expression. Conditions (EvalCondition) get `result` and all of Argo's functions;
 * rangeQuery times (argo-rollouts v1.8.3 utils/evaluate/evaluate.go EvalTime) get only isNaN and isInf.
 */
export interface CheckEnv {
  result?: Type;
  /** Argo's functions in the environment (default: all of them). */
  functions?: readonly string[];
}

/**
 * Type-checks `ast`; `argumentTypes`, when given, receives the static type of every argument checked against a
 * function's parameters and of every unary operand (the evaluator needs them where Go looks at a value's dynamic
 * type: reflect's Call, type(), the negation of a byte).
 */
export function check(source: string, ast: Node, env: CheckEnv, argumentTypes?: WeakMap<Node, Type>): Type {
  return new Checker(source, env, argumentTypes).visit(ast);
}

class Checker {
  private readonly pointers: { elem: Type; vars: Record<string, Type> }[] = [];
  private readonly vars: { name: string; type: Type }[] = [];

  constructor(
    private readonly source: string,
    private readonly env: CheckEnv,
    private readonly argumentTypes?: WeakMap<Node, Type>,
  ) {}

  private envFunction(name: string): EnvFunction | undefined {
    if (this.env.functions && !this.env.functions.includes(name)) return undefined;
    return Object.hasOwn(argoFunctions, name) ? argoFunctions[name] : undefined;
  }

  private fail(node: Node, detail: string): never {
    throw new ExprError(this.source, detail, node.pos, 'type');
  }

  visit(node: Node): Type {
    switch (node.type) {
      case 'nil':
        return T.nil;
      case 'bool':
        return T.bool;
      case 'int':
        return T.int;
      case 'float':
        return T.float;
      case 'string':
        return T.string;
      case 'name': {
        for (let i = this.vars.length - 1; i >= 0; i--) {
          const v = this.vars[i] as { name: string; type: Type };
          if (v.name === node.name) return v.type;
        }
        if (node.name === 'result' && this.env.result) return this.env.result;
        // expr v1.15.5 checker/checker.go IdentifierNode: $env is the environment as a map.
        if (node.name === '$env') return T.map(T.any);
        if (this.envFunction(node.name) || builtinNames.has(node.name)) return { k: 'func', name: node.name };
        // Strict: expr.Env makes unknown names a compile error (expr v1.15.5 checker/checker.go env()).
        return this.fail(node, `unknown name ${node.name}`);
      }
      case 'pointer': {
        // expr v1.15.5 checker/checker.go PointerNode: `#` is the element; `#index` exists only in map and
        // reduce, `#acc` only in reduce (BuiltinNode's begin(...) scope variables).
        const scope = this.pointers[this.pointers.length - 1];
        if (!scope) return this.fail(node, 'cannot use pointer accessor outside closure');
        if (node.name === '') return scope.elem;
        const v = scope.vars[node.name];
        if (v) return v;
        return this.fail(node, `unknown pointer #${node.name}`);
      }
      case 'array': {
        // expr v1.15.5 checker ArrayNode: []interface{}, remembering a common element type so that
        // `42 in ["a"]` is still a type error.
        const types = node.items.map((item) => this.visit(item));
        const first = types[0];
        const common = first && types.every((t) => sameType(t, first)) ? first : undefined;
        return common ? { k: 'array', elem: T.any, literal: common } : T.array(T.any);
      }
      case 'map': {
        for (const pair of node.pairs) {
          this.visit(pair.key);
          this.visit(pair.value);
        }
        return T.map(T.any);
      }
      case 'unary':
        return this.unary(node);
      case 'binary':
        return this.binary(node);
      case 'conditional': {
        const test = this.visit(node.test);
        if (!isBool(test) && !isAny(test))
          return this.fail(node.test, `non-bool expression (type ${goName(test)}) used as condition`);
        const a = this.visit(node.then);
        const b = this.visit(node.else);
        if (a.k === 'nil' && b.k !== 'nil') return b;
        if (a.k !== 'nil' && b.k === 'nil') return a;
        return sameType(a, b) ? a : T.any;
      }
      case 'chain':
        return this.visit(node.node);
      case 'member':
        return this.member(node);
      case 'slice': {
        const t = this.visit(node.target);
        if (!isAny(t) && !isString(t) && !isArray(t)) return this.fail(node, `cannot slice ${goName(t)}`);
        for (const bound of [node.from, node.to]) {
          if (!bound) continue;
          const b = this.visit(bound);
          if (!isInt(b) && !isAny(b)) return this.fail(bound, `non-integer slice index ${goName(b)}`);
        }
        return t;
      }
      case 'closure': {
        // expr v1.15.5 checker/checker.go ClosureNode.
        const t = this.visit(node.body);
        if (t.k === 'nil') return this.fail(node.body, 'closure cannot be nil');
        return t;
      }
      case 'let': {
        // expr v1.15.5 checker/checker.go VariableDeclaratorNode: no shadowing of builtins, env names or variables.
        if (builtinNames.has(node.name)) return this.fail(node, `cannot redeclare builtin ${node.name}`);
        if ((node.name === 'result' && this.env.result) || this.envFunction(node.name))
          return this.fail(node, `cannot redeclare ${node.name}`);
        if (this.vars.some((v) => v.name === node.name))
          return this.fail(node, `cannot redeclare variable ${node.name}`);
        const value = this.visit(node.value);
        this.vars.push({ name: node.name, type: value });
        try {
          return this.visit(node.body);
        } finally {
          this.vars.pop();
        }
      }
      case 'call':
        return this.call(node);
      case 'method':
        return this.method(node);
    }
  }

  // expr v1.15.5 checker/checker.go CallNode with a MemberNode callee: a method of time.Time or
  // time.Duration (methods.ts), anything on interface {} (checked at run time), else the member's own error.
  private method(node: Extract<Node, { type: 'method' }>): Type {
    const base = this.visit(node.target);
    const call = { type: 'call', name: node.name, args: node.args, pos: node.pos } as const;
    const named = base.k === 'int' && (base.go === 'time.Month' || base.go === 'time.Weekday');
    const table = isTime(base)
      ? timeMethods
      : isDuration(base)
        ? durationMethods
        : named || base.k === 'location'
          ? stringerMethods
          : undefined;
    if (table) {
      const sig = Object.hasOwn(table, node.name) ? table[node.name] : undefined;
      if (isTime(base) && threeResultMethods.has(node.name))
        return this.fail(node, `func ${node.name} returns more then two values`);
      if (!sig) return this.fail(node, `type ${goName(base)} has no method ${node.name}`);
      return this.checkOverloads(call, [sig]);
    }
    const member = this.member({
      type: 'member',
      target: node.target,
      property: { type: 'string', value: node.name, pos: node.pos },
      optional: node.optional,
      pos: node.pos,
    });
    for (const arg of node.args) this.visit(arg);
    if (isAny(member)) return T.any;
    return this.fail(node, `${goName(member)} is not callable`);
  }

  private unary(node: Extract<Node, { type: 'unary' }>): Type {
    const t = this.visit(node.operand);
    this.argumentTypes?.set(node.operand, t);
    if (node.op === 'not') {
      if (isBool(t) || isAny(t)) return T.bool;
    } else if (isNumber(t)) return t;
    else if (isAny(t)) return T.any;
    return this.fail(node, `invalid operation: ${node.token} (mismatched type ${goName(t)})`);
  }

  // expr v1.15.5 checker/checker.go BinaryNode.
  private binary(node: Extract<Node, { type: 'binary' }>): Type {
    const l = this.visit(node.left);
    const r = this.visit(node.right);
    switch (node.op) {
      case '==':
      case '!=':
        if (comparable(l, r)) return T.bool;
        break;
      case '||':
      case '&&':
        if (isBool(l) && isBool(r)) return T.bool;
        if (or(l, r, isBool)) return T.bool;
        break;
      case '<':
      case '>':
      case '<=':
      case '>=':
        if (isNumber(l) && isNumber(r)) return T.bool;
        if (isString(l) && isString(r)) return T.bool;
        if (isTime(l) && isTime(r)) return T.bool;
        if (or(l, r, isNumber, isString, isTime)) return T.bool;
        break;
      case '-':
        if (isNumber(l) && isNumber(r)) return combined(l, r);
        if (isTime(l) && isTime(r)) return T.duration;
        if (isTime(l) && isDuration(r)) return T.time;
        if (or(l, r, isNumber, isTime)) return T.any;
        break;
      case '*':
        if (isNumber(l) && isNumber(r)) return combined(l, r);
        if (or(l, r, isNumber)) return T.any;
        break;
      case '/':
      case '**':
        if (isNumber(l) && isNumber(r)) return T.float;
        if (or(l, r, isNumber)) return T.float;
        break;
      case '%':
        if (isInt(l) && isInt(r)) return combined(l, r);
        if (or(l, r, isInt)) return T.any;
        break;
      case '+':
        if (isNumber(l) && isNumber(r)) return combined(l, r);
        if (isString(l) && isString(r)) return T.string;
        if (isTime(l) && isDuration(r)) return T.time;
        if (isDuration(l) && isTime(r)) return T.time;
        if (or(l, r, isNumber, isString, isTime, isDuration)) return T.any;
        break;
      case 'in':
        if (r.k === 'map') {
          const key = r.key ?? T.string;
          if (l.k !== 'nil' && !isAny(l) && !assignable(l, key))
            return this.fail(node, `cannot use ${goName(l)} as type ${goName(key)} in map key`);
          return T.bool;
        }
        if (isArray(r)) {
          if (l.k === 'nil') return T.bool;
          if (r.k === 'array' && !comparable(l, r.elem))
            return this.fail(node, `cannot use ${goName(l)} as type ${goName(r.elem)} in array`);
          if (r.k === 'array' && r.literal && !comparable(l, r.literal))
            return this.fail(node, `cannot use ${goName(l)} as type ${goName(r.literal)} in array`);
          return T.bool;
        }
        if (isAny(l) && (isString(r) || isArray(r) || isMap(r))) return T.bool;
        if (isAny(r)) return T.bool;
        break;
      case 'matches':
        // expr v1.15.5 checker/checker.go: a constant pattern is compiled with Go's regexp.Compile here.
        if (node.right.type === 'string') {
          try {
            compileRegexp(node.right.value);
          } catch (error) {
            return this.fail(node, (error as Error).message);
          }
        }
        if (isString(l) && isString(r)) return T.bool;
        if (or(l, r, isString)) return T.bool;
        break;
      case 'contains':
      case 'startsWith':
      case 'endsWith':
        if (isString(l) && isString(r)) return T.bool;
        if (or(l, r, isString)) return T.bool;
        break;
      case '..':
        if (isInt(l) && isInt(r)) return T.array(T.int);
        if (or(l, r, isInt)) return T.array(T.int);
        break;
      case '??':
        if (l.k === 'nil') return r;
        if (r.k === 'nil') return l;
        return sameType(l, r) ? l : T.any;
    }
    return this.fail(
      node,
      `invalid operation: ${node.token} (mismatched types ${goName(l)} and ${goName(r)})`,
    );
  }

  // expr v1.15.5 checker/checker.go MemberNode.
  private member(node: Extract<Node, { type: 'member' }>): Type {
    // $env.name and $env["name"] are the environment's own names (strict unless `?.`).
    if (node.target.type === 'name' && node.target.name === '$env' && node.property.type === 'string') {
      const name = node.property.value;
      if (name === 'result' && this.env.result) return this.env.result;
      if (this.envFunction(name)) return { k: 'func', name };
      if (node.optional) return T.any;
      return this.fail(node, `unknown name ${name}`);
    }
    const base = this.visit(node.target);
    const prop = this.visit(node.property);
    const name = node.property.type === 'string' ? node.property.value : undefined;
    if (base.k === 'nil' && name !== undefined) return this.fail(node, `type <nil> has no field ${name}`);
    switch (base.k) {
      case 'any':
        return T.any;
      case 'time':
        return this.fail(node, `type time.Time has no field ${name ?? goName(prop)}`);
      case 'map':
        if (prop.k !== 'nil' && !isAny(prop) && !assignable(prop, base.key ?? T.string))
          return this.fail(
            node.property,
            `cannot use ${goName(prop)} to get an element from ${goName(base)}`,
          );
        return base.elem;
      case 'array':
        if (!isInt(prop) && !isAny(prop))
          return this.fail(
            node.property,
            `array elements can only be selected using an integer (got ${goName(prop)})`,
          );
        return base.elem;
      default:
        return this.fail(node, `type ${goName(base)}[${goName(prop)}] is undefined`);
    }
  }

  private call(node: Extract<Node, { type: 'call' }>): Type {
    const env = this.envFunction(node.name);
    const shadowed = this.vars.some((v) => v.name === node.name);
    if (env && !shadowed) return this.envCall(node, env);
    if (builtinNames.has(node.name) && !shadowed) return this.builtin(node);
    if ((node.name === 'result' && this.env.result) || shadowed) {
      const t = this.visit({ type: 'name', name: node.name, pos: node.pos });
      if (isAny(t)) return T.any;
      return this.fail(node, `${goName(t)} is not callable`);
    }
    return this.fail(node, `unknown name ${node.name}`);
  }

  // expr v1.15.5 checker/checker.go checkArguments (an int literal passed as float64 is converted).
  private envCall(node: Extract<Node, { type: 'call' }>, fn: EnvFunction): Type {
    if (node.args.length > fn.params.length)
      return this.fail(node, `too many arguments to call ${node.name}`);
    if (node.args.length < fn.params.length)
      return this.fail(node, `not enough arguments to call ${node.name}`);
    node.args.forEach((arg, i) => {
      const t = this.visit(arg);
      const want = fn.params[i] as Type;
      if (want.k === 'float' && isInt(t)) return;
      if (t.k === 'nil' || isAny(want) || isAny(t) || sameType(t, want)) return;
      this.fail(arg, `cannot use ${goName(t)} as argument (type ${goName(want)}) to call ${node.name} `);
    });
    return fn.out;
  }

  // expr v1.15.5 checker/checker.go BuiltinNode: the closure builtins, each with its own scope variables.
  private closure(node: Extract<Node, { type: 'call' }>): Type {
    const { name, args } = node;
    const collection = this.visit(args[0] as Node);
    if (!isArray(collection) && !isAny(collection))
      return this.fail(args[0] as Node, `builtin ${name} takes only array (got ${goName(collection)})`);
    const elem = collection.k === 'array' ? collection.elem : T.any;
    const vars: Record<string, Type> = {};
    if (name === 'map' || name === 'reduce') vars.index = T.int;
    if (name === 'reduce') vars.acc = T.any;
    this.pointers.push({ elem, vars });
    const out = this.visit(args[1] as Node);
    this.pointers.pop();
    if (name === 'reduce') {
      if (args[2]) this.visit(args[2]);
      return out;
    }
    if (name === 'map') return T.array(out);
    if (name === 'groupBy') return T.anyMap(T.array(T.any));
    if (!isBool(out) && !isAny(out))
      return this.fail(args[1] as Node, `predicate should return boolean (got ${goName(out)})`);
    if (name === 'filter') return isAny(collection) ? T.array(T.any) : T.array(elem);
    if (name === 'count' || name === 'findIndex' || name === 'findLastIndex') return T.int;
    if (name === 'find' || name === 'findLast') return isAny(collection) ? T.any : elem;
    return T.bool;
  }

  // expr v1.15.5 checker/checker.go BuiltinNode → checkFunction: builtin/builtin.go Validate functions, or
  // checkArguments over the Types overloads (the last overload's error is the one reported).
  private builtin(node: Extract<Node, { type: 'call' }>): Type {
    const { name, args } = node;
    if (predicateBuiltins.has(name)) return this.closure(node);
    if (name === 'get') return this.builtinGet(node);
    const overloads = typedBuiltins[name];
    if (overloads) return this.checkOverloads(node, overloads);
    const types = args.map((arg) => this.visit(arg));
    const a = types[0] as Type;
    const arity = (...allowed: number[]) => {
      if (!allowed.includes(args.length))
        this.fail(node, `invalid number of arguments (expected ${allowed.join(' or ')}, got ${args.length})`);
    };
    switch (name) {
      case 'len':
        arity(1);
        if (isArray(a) || isMap(a) || isString(a) || isAny(a)) return T.int;
        return this.fail(node, `invalid argument for len (type ${goName(a)})`);
      case 'abs':
        arity(1);
        if (isNumber(a) || isAny(a)) return a;
        return this.fail(node, `invalid argument for abs (type ${goName(a)})`);
      case 'ceil':
      case 'floor':
      case 'round':
        arity(1);
        if (isNumber(a) || isAny(a)) return T.float;
        // v1.15.5 prints "floor" in round's message too.
        return this.fail(
          node,
          `invalid argument for ${name === 'round' ? 'floor' : name} (type ${goName(a)})`,
        );
      case 'int':
      case 'float':
        arity(1);
        if (isNumber(a) || isAny(a) || isString(a)) return name === 'int' ? T.int : T.float;
        return this.fail(node, `invalid argument for ${name} (type ${goName(a)})`);
      case 'max':
      case 'min':
        if (types.length === 0) return this.fail(node, `not enough arguments to call ${name}`);
        for (const t of types) {
          if (isAny(t)) return T.any;
          if (!isNumber(t)) return this.fail(node, `invalid argument for ${name} (type ${goName(t)})`);
        }
        return a;
      case 'sum':
      case 'mean':
      case 'median':
        arity(1);
        if (!isArray(a) && !isAny(a))
          return this.fail(node, `cannot ${name === 'mean' ? 'avg' : name} ${goName(a)}`);
        return name === 'sum' ? T.any : T.float;
      case 'first':
      case 'last':
        arity(1);
        if (isAny(a)) return T.any;
        if (a.k === 'array') return a.elem;
        return this.fail(node, `cannot get ${name} element from ${goName(a)}`);
      case 'take': {
        arity(2);
        const n = types[1] as Type;
        if (!isAny(a) && !isArray(a)) return this.fail(node, `cannot take from ${goName(a)}`);
        // builtin.go take's Validate accepts the signed integer kinds only.
        if (!isAny(n) && (!isInt(n) || intKind(n) === 'uint8'))
          return this.fail(node, `cannot take ${goName(n)} elements`);
        return a;
      }
      case 'keys':
      case 'values':
        arity(1);
        if (isMap(a) || isAny(a)) return T.array(T.any);
        return this.fail(node, `cannot get ${name} from ${goName(a)}`);
      case 'toPairs':
        arity(1);
        if (isMap(a) || isAny(a)) return T.array(T.any);
        return this.fail(node, `cannot transform ${goName(a)} to pairs`);
      case 'fromPairs':
        arity(1);
        if (isArray(a) || isAny(a)) return T.anyMap(T.any);
        return this.fail(node, `cannot transform ${goName(a)} from pairs`);
      case 'sort':
      case 'sortBy': {
        if (name === 'sort') arity(1, 2);
        else arity(2, 3);
        if (!isAny(a) && !isArray(a)) return this.fail(node, `cannot sort ${goName(a)}`);
        // sortBy's check of its third argument prints the second one's type (upstream's message).
        for (const i of name === 'sort' ? [1] : [1, 2]) {
          const t = types[i];
          if (t && !isString(t) && !isAny(t))
            return this.fail(
              node,
              `invalid argument for sort (expected string, got ${goName(types[1] as Type)})`,
            );
        }
        return T.array(T.any);
      }
    }
    return this.fail(node, `unknown builtin ${name}`);
  }

  // expr v1.15.5 checker/checker.go checkBuiltinGet.
  private builtinGet(node: Extract<Node, { type: 'call' }>): Type {
    const { args } = node;
    if (args.length !== 2)
      return this.fail(node, `invalid number of arguments (expected 2, got ${args.length})`);
    const [value, prop] = args as [Node, Node];
    const t = this.visit(value);
    if (isAny(t)) return T.any;
    if (t.k === 'array') {
      const p = this.visit(prop);
      if (p.k === 'nil') return this.fail(prop, 'cannot use nil as slice index');
      if (!isInt(p) && !isAny(p)) return this.fail(prop, `non-integer slice index ${goName(p)}`);
      return t.elem;
    }
    if (t.k === 'map') {
      const p = this.visit(prop);
      if (p.k === 'nil') return this.fail(prop, 'cannot use nil as map index');
      if (!isAny(p) && !assignable(p, t.key ?? T.string))
        return this.fail(prop, `cannot use ${goName(p)} to get an element from ${goName(t)}`);
      return t.elem;
    }
    return this.fail(value, `type ${goName(t)} does not support indexing`);
  }

  // expr v1.15.5 checker/checker.go checkFunction: the first overload that fits, else the last one's error.
  private checkOverloads(node: Extract<Node, { type: 'call' }>, overloads: Signature[]): Type {
    let last: ExprError | undefined;
    for (const sig of overloads) {
      try {
        return this.checkArguments(node, sig);
      } catch (error) {
        // An error inside an argument is the first error checker.go records (v.err), whatever overload.
        if (error instanceof ArgumentError) throw error.cause;
        if (!(error instanceof ExprError) || error.kind !== 'type') throw error;
        last = error;
      }
    }
    throw last;
  }

  // expr v1.15.5 checker/checker.go checkArguments: arity, then each argument assignable to its parameter
  // (an integer where a float64 or an integer of another kind is wanted passes, its constants retyped; nil passes).
  private checkArguments(node: Extract<Node, { type: 'call' }>, sig: Signature): Type {
    const { name, args } = node;
    if (args.length > sig.params.length) return this.fail(node, `too many arguments to call ${name}`);
    if (args.length < sig.params.length) return this.fail(node, `not enough arguments to call ${name}`);
    args.forEach((arg, i) => {
      let t: Type;
      try {
        t = this.visit(arg);
      } catch (error) {
        throw new ArgumentError(error);
      }
      this.argumentTypes?.set(arg, t);
      const want = sig.params[i] as Type;
      if (want.k === 'float' && isInt(t)) return;
      // An integer of another kind is let through (its constants retyped); one of the same kind must be assignable,
      // so a time.Month is not an int.
      if (isInt(want) && isInt(t) && intKind(t) !== intKind(want)) return;
      if (t.k === 'nil') return;
      if (!assignable(t, want) && !isAny(t))
        this.fail(arg, `cannot use ${goName(t)} as argument (type ${goName(want)}) to call ${name} `);
    });
    return sig.out;
  }
}

function sameType(a: Type, b: Type): boolean {
  if (a.k !== b.k) return false;
  if ((a.k === 'array' || a.k === 'map') && (b.k === 'array' || b.k === 'map'))
    return sameType(a.elem, b.elem);
  return true;
}

/** An error raised while checking an argument itself, not while matching it to an overload. */
class ArgumentError extends Error {
  constructor(override readonly cause: unknown) {
    super('argument error');
  }
}

/** Go's reflect AssignableTo for these types: identical types, or anything to interface {}. */
function assignable(t: Type, want: Type): boolean {
  if (isAny(want)) return true;
  if (t.k !== want.k) return false;
  if (t.k === 'int') return (t.go ?? 'int') === ((want as { go?: string }).go ?? 'int');
  if (t.k === 'array' && want.k === 'array') return identical(t.elem, want.elem);
  if (t.k === 'map' && want.k === 'map')
    return identical(t.key ?? T.string, want.key ?? T.string) && identical(t.elem, want.elem);
  return true;
}

function identical(a: Type, b: Type): boolean {
  return a.k === b.k && goName(a) === goName(b);
}

interface Signature {
  params: Type[];
  out: Type;
}

const sig = (out: Type, ...params: Type[]): Signature => ({ params, out });
const S = T.string;
const I = T.int;

/** expr v1.15.5 builtin/builtin.go: the builtins checked against `Types` overloads, in upstream order. */
const typedBuiltins: Record<string, Signature[]> = {
  type: [sig(S, T.any)],
  string: [sig(S, T.any)],
  trim: [sig(S, S), sig(S, S, S)], // strings.TrimSpace, strings.Trim
  trimPrefix: [sig(S, S, S), sig(S, S)],
  trimSuffix: [sig(S, S, S), sig(S, S)],
  upper: [sig(S, S)],
  lower: [sig(S, S)],
  split: [sig(T.array(S), S, S), sig(T.array(S), S, S, I)], // strings.Split, strings.SplitN
  splitAfter: [sig(T.array(S), S, S), sig(T.array(S), S, S, I)],
  replace: [sig(S, S, S, S, I), sig(S, S, S, S)], // strings.Replace, strings.ReplaceAll
  repeat: [sig(S, S, I)],
  join: [
    sig(S, T.array(S), S), // strings.Join
    sig(S, T.array(T.any), S),
    sig(S, T.array(T.any)),
    sig(S, T.array(S), S),
    sig(S, T.array(S)),
  ],
  indexOf: [sig(I, S, S)],
  lastIndexOf: [sig(I, S, S)],
  hasPrefix: [sig(T.bool, S, S)],
  hasSuffix: [sig(T.bool, S, S)],
  toJSON: [sig(S, T.any)],
  fromJSON: [sig(T.any, S)],
  toBase64: [sig(S, S)],
  fromBase64: [sig(S, S)],
  now: [sig(T.time)],
  duration: [sig(T.duration, S)], // time.ParseDuration
  date: [sig(T.time, S), sig(T.time, S, S), sig(T.time, S, S, S)],
};
