/**
 * The type checker expr runs at compile time, before any evaluation (expr v1.15.5 checker/checker.go and
 * checker/types.go, the version Argo Rollouts v1.8.3 pins). Argo compiles each condition with
 * `expr.Env(env)` (argo-rollouts v1.8.3 utils/evaluate/evaluate.go EvalCondition), so the checker knows the
 * Go type of `result` and of Argo's functions, and is strict about unknown names. A check error is a
 * measurement Error in Argo, even when evaluation would have produced a value: `result == 0` on a vector is
 * "invalid operation: == (mismatched types []float64 and int)", never false.
 */
import { ExprError } from './errors.js';
import { builtinNames, closureBuiltins, type Node } from './parser.js';

export type Type =
  | { k: 'nil' }
  | { k: 'any' }
  | { k: 'bool' }
  | { k: 'int'; go?: string }
  | { k: 'float' }
  | { k: 'string' }
  | { k: 'array'; elem: Type; literal?: Type }
  | { k: 'map'; elem: Type }
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
      return `map[string]${goName(t.elem)}`;
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

/** expr v1.15.5 checker/types.go `or`: one side is interface{} and the other passes one of the tests. */
function or(l: Type, r: Type, ...tests: ((t: Type) => boolean)[]): boolean {
  if (isAny(l) && isAny(r)) return true;
  if (isAny(l) && tests.some((f) => f(r))) return true;
  if (isAny(r) && tests.some((f) => f(l))) return true;
  return false;
}

/** expr v1.15.5 checker/types.go `combined`. */
function combined(l: Type, r: Type): Type {
  if (l.k === r.k) return l;
  return l.k === 'float' || r.k === 'float' ? T.float : T.int;
}

/** expr v1.15.5 checker/types.go `isComparable`: nil compares with anything; same kind; numbers; any. */
function comparable(l: Type, r: Type): boolean {
  if (l.k === 'nil' || r.k === 'nil') return true;
  if (l.k === r.k) return true;
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

/** Builtins this engine implements; other expr builtins are reported as a deliberate difference. */
export const implementedBuiltins = new Set([
  ...closureBuiltins,
  'len',
  'abs',
  'ceil',
  'floor',
  'round',
  'int',
  'float',
  'max',
  'min',
  'sum',
  'mean',
  'median',
  'first',
  'last',
  'keys',
  'values',
  'upper',
  'lower',
]);

export interface CheckEnv {
  result: Type;
}

export function check(source: string, ast: Node, env: CheckEnv): Type {
  return new Checker(source, env).visit(ast);
}

class Checker {
  private readonly pointers: Type[] = [];
  private readonly vars: { name: string; type: Type }[] = [];

  constructor(
    private readonly source: string,
    private readonly env: CheckEnv,
  ) {}

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
        if (node.name === 'result') return this.env.result;
        if (argoFunctions[node.name] || builtinNames.has(node.name)) return { k: 'func', name: node.name };
        // Strict: expr.Env makes unknown names a compile error (expr v1.15.5 checker/checker.go env()).
        return this.fail(node, `unknown name ${node.name}`);
      }
      case 'pointer': {
        const scope = this.pointers[this.pointers.length - 1];
        if (!scope) return this.fail(node, 'cannot use pointer accessor outside closure');
        if (node.name === '') return scope;
        if (node.name === 'index') return T.int;
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
      case 'closure':
        return this.visit(node.body);
      case 'let': {
        // expr v1.15.5 checker/checker.go VariableDeclaratorNode: no shadowing of builtins, env names or variables.
        if (builtinNames.has(node.name)) return this.fail(node, `cannot redeclare builtin ${node.name}`);
        if (node.name === 'result' || argoFunctions[node.name])
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
    }
  }

  private unary(node: Extract<Node, { type: 'unary' }>): Type {
    const t = this.visit(node.operand);
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
        if (or(l, r, isNumber, isString)) return T.bool;
        break;
      case '-':
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
        if (or(l, r, isNumber, isString)) return T.any;
        break;
      case 'in':
        if (isMap(r)) return T.bool;
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
        if (node.right.type === 'string') {
          try {
            new RegExp(node.right.value);
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
    const base = this.visit(node.target);
    const prop = this.visit(node.property);
    const name = node.property.type === 'string' ? node.property.value : undefined;
    if (base.k === 'nil' && name !== undefined) return this.fail(node, `type <nil> has no field ${name}`);
    switch (base.k) {
      case 'any':
        return T.any;
      case 'map':
        if (prop.k !== 'string' && !isAny(prop) && prop.k !== 'nil')
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
    const env = argoFunctions[node.name];
    const shadowed = this.vars.some((v) => v.name === node.name);
    if (env && !shadowed) return this.envCall(node, env);
    if (builtinNames.has(node.name) && !shadowed) return this.builtin(node);
    if (node.name === 'result' || shadowed) {
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

  // expr v1.15.5 checker/checker.go BuiltinNode and builtin/builtin.go Validate functions.
  private builtin(node: Extract<Node, { type: 'call' }>): Type {
    const { name, args } = node;
    if (!implementedBuiltins.has(name)) {
      throw new ExprError(
        this.source,
        `the expr builtin ${name}() is valid in Argo Rollouts but not implemented by gitops-lab`,
        node.pos,
        'unsupported',
      );
    }
    const arity = (n: number) => {
      if (args.length !== n)
        this.fail(node, `invalid number of arguments (expected ${n}, got ${args.length})`);
    };
    if (closureBuiltins.has(name)) {
      const collection = this.visit(args[0] as Node);
      if (!isArray(collection) && !isAny(collection))
        return this.fail(args[0] as Node, `builtin ${name} takes only array (got ${goName(collection)})`);
      const elem = collection.k === 'array' ? collection.elem : T.any;
      this.pointers.push(elem);
      const out = this.visit(args[1] as Node);
      this.pointers.pop();
      if (name === 'map') return T.array(out);
      if (!isBool(out) && !isAny(out))
        return this.fail(args[1] as Node, `predicate should return boolean (got ${goName(out)})`);
      if (name === 'filter') return isAny(collection) ? T.array(T.any) : collection;
      if (name === 'count' || name === 'findIndex' || name === 'findLastIndex') return T.int;
      if (name === 'find' || name === 'findLast') return isAny(collection) ? T.any : elem;
      return T.bool;
    }
    const types = args.map((arg) => this.visit(arg));
    const a = types[0] as Type;
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
      case 'keys':
      case 'values':
        arity(1);
        if (isMap(a) || isAny(a)) return T.array(a.k === 'map' && name === 'values' ? a.elem : T.any);
        return this.fail(node, `cannot get ${name} from ${goName(a)}`);
      case 'upper':
      case 'lower':
        if (args.length < 1) return this.fail(node, `not enough arguments to call ${name}`);
        if (!isString(a) && !isAny(a))
          return this.fail(
            args[0] as Node,
            `cannot use ${goName(a)} as argument (type string) to call ${name} `,
          );
        return T.string;
    }
    return T.any;
  }
}

function sameType(a: Type, b: Type): boolean {
  if (a.k !== b.k) return false;
  if ((a.k === 'array' || a.k === 'map') && (b.k === 'array' || b.k === 'map'))
    return sameType(a.elem, b.elem);
  return true;
}
