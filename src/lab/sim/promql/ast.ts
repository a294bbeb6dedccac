/** The PromQL expressions the simulated Prometheus evaluates (a subset of prometheus/promql/parser/ast.go). */
export type MatchType = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  type: MatchType;
  value: string;
}

export type Expr =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'selector'; matchers: Matcher[]; rangeMs?: number; offsetMs: number }
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'aggregate'; op: string; grouping?: { without: boolean; labels: string[] }; args: Expr[] }
  | { kind: 'unary'; op: '-' | '+'; expr: Expr }
  | {
      kind: 'binary';
      op: string;
      bool: boolean;
      matching?: { on: boolean; labels: string[] };
      lhs: Expr;
      rhs: Expr;
    };

/** What the simulated Prometheus cannot evaluate, in the project's words. */
export class UnsupportedPromqlError extends Error {
  constructor(what: string) {
    super(
      `the simulated Prometheus does not support ${what}; install Debian's prometheus package to use the real one`,
    );
  }
}
