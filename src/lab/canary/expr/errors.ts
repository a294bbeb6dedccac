/**
 * The one error the condition evaluator raises. `kind` says whether the expression is malformed (syntax),
 * wrong for the value it was given (type), or failed while running (runtime, e.g. an index out of range). The message always quotes
 * the expression, so a measurement in phase Error says exactly which condition broke and why.
 */
export type ExprErrorKind = 'syntax' | 'type' | 'runtime';

export class ExprError extends Error {
  readonly expression: string;
  readonly detail: string;
  readonly position?: number;
  readonly kind: ExprErrorKind;

  constructor(expression: string, detail: string, position: number | undefined, kind: ExprErrorKind) {
    const where = position === undefined ? '' : ` at column ${position + 1}`;
    super(`cannot evaluate "${expression}": ${detail}${where}`);
    this.name = 'ExprError';
    this.expression = expression;
    this.detail = detail;
    this.position = position;
    this.kind = kind;
  }
}
