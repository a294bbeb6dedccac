/**
 * Tokenizer for expr-lang as Argo Rollouts v1.8.3 uses it (github.com/antonmedv/expr v1.15.5,
 * parser/lexer/state.go): single- and double-quoted strings (no backquotes in v1.15.5), ints (decimal, hex)
 * and floats, line and block comments, `#` and `#name` pointers. Every character either becomes a token or
 * raises an ExprError with its column, so no input is dropped.
 */
import { ExprError } from './errors.js';

export type TokenKind = 'number' | 'string' | 'name' | 'pointer' | 'operator' | 'bracket' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text of the token (for strings: the decoded value). */
  value: string;
  /** Numeric value of a number token. */
  number?: number;
  /** Set when the number is an integer literal (expr's int type; floats have a dot or an exponent). */
  integer?: bigint;
  /** 0-based offset in the expression. */
  pos: number;
}

// Longest first, so `**` wins over `*` and `..` over `.`.
const operators = [
  '**',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '??',
  '?.',
  '..',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '<',
  '>',
  '!',
  '?',
  ':',
  ',',
  '.',
  '|',
  ';',
  '=',
];
const brackets = new Set(['(', ')', '[', ']', '{', '}']);

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isNameStart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z_$]/.test(c);
const isNamePart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_$]/.test(c);

// expr v1.15.5 parser/lexer/utils.go unescapeChar: Go's escapes, \x/\u/\U as code points, \NNN octal.
const escapes: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '`': '`',
  '?': '?',
};

/** One escape sequence at `at` (the backslash): its text and its length in the source. */
function readEscape(source: string, at: number): [string, number] {
  const e = source[at + 1];
  const simple = e === undefined ? undefined : escapes[e];
  if (simple !== undefined) return [simple, 2];
  const digits = e === 'x' || e === 'X' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
  if (digits > 0) {
    const hex = source.slice(at + 2, at + 2 + digits);
    const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === digits ? Number.parseInt(hex, 16) : -1;
    // utf8.EncodeRune writes U+FFFD for a surrogate half.
    if (code >= 0xd800 && code <= 0xdfff) return ['\ufffd', 2 + digits];
    if (code >= 0 && code <= 0x10ffff) return [String.fromCodePoint(code), 2 + digits];
  } else if (e !== undefined && e >= '0' && e <= '3') {
    const octal = source.slice(at + 1, at + 4);
    if (/^[0-7]{3}$/.test(octal)) return [String.fromCodePoint(Number.parseInt(octal, 8)), 4];
    throw new ExprError(source, 'unable to unescape octal sequence in string', at, 'syntax');
  }
  throw new ExprError(source, 'unable to unescape string', at, 'syntax');
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c)) {
      i = readNumber(source, i, tokens);
      continue;
    }
    if (c === '/' && (source[i + 1] === '/' || source[i + 1] === '*')) {
      i = skipComment(source, i);
      continue;
    }
    if (c === '.' && isDigit(source[i + 1])) {
      i = readNumber(source, i, tokens);
      continue;
    }
    if (c === '"' || c === "'") {
      let value = '';
      i++;
      for (;;) {
        const d = source[i];
        if (d === undefined) throw new ExprError(source, `unterminated string starting`, start, 'syntax');
        if (d === c) break;
        if (d === '\\') {
          const [decoded, length] = readEscape(source, i);
          value += decoded;
          i += length;
          continue;
        }
        value += d;
        i++;
      }
      i++;
      tokens.push({ kind: 'string', value, pos: start });
      continue;
    }
    if (isNameStart(c)) {
      while (isNamePart(source[i])) i++;
      tokens.push({ kind: 'name', value: source.slice(start, i), pos: start });
      continue;
    }
    if (c === '#') {
      i++;
      while (isNamePart(source[i])) i++;
      tokens.push({ kind: 'pointer', value: source.slice(start, i), pos: start });
      continue;
    }
    if (brackets.has(c)) {
      tokens.push({ kind: 'bracket', value: c, pos: start });
      i++;
      continue;
    }
    const op = operators.find((o) => source.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'operator', value: op, pos: start });
      i += op.length;
      continue;
    }
    throw new ExprError(source, `unexpected character ${JSON.stringify(c)}`, start, 'syntax');
  }
  tokens.push({ kind: 'eof', value: '', pos: source.length });
  return tokens;
}

function readNumber(source: string, start: number, tokens: Token[]): number {
  let i = start;
  const digits = () => {
    while (isDigit(source[i]) || (source[i] === '_' && isDigit(source[i + 1]))) i++;
  };
  if (source[i] === '0' && (source[i + 1] === 'x' || source[i + 1] === 'X')) {
    i += 2;
    while (/[0-9a-fA-F_]/.test(source[i] ?? '')) i++;
    const text = source.slice(start, i);
    const number = Number.parseInt(text.slice(2).replaceAll('_', ''), 16);
    if (Number.isNaN(number)) throw new ExprError(source, `invalid number ${text}`, start, 'syntax');
    tokens.push({ kind: 'number', value: text, number, integer: BigInt(number), pos: start });
    return i;
  }
  digits();
  // `1..3` is a range, not the float `1.` followed by `.3`.
  if (source[i] === '.' && isDigit(source[i + 1])) {
    i++;
    digits();
  }
  if (source[i] === 'e' || source[i] === 'E') {
    const save = i;
    i++;
    if (source[i] === '+' || source[i] === '-') i++;
    if (isDigit(source[i])) digits();
    else i = save;
  }
  if (isNameStart(source[i])) {
    throw new ExprError(source, `invalid number ${source.slice(start, i + 1)}`, start, 'syntax');
  }
  const text = source.slice(start, i);
  const clean = text.replaceAll('_', '');
  const token: Token = { kind: 'number', value: text, number: Number(clean), pos: start };
  if (!/[.eE]/.test(clean)) {
    token.integer = BigInt(clean);
    // expr v1.15.5 parser/parser.go: "integer literal is too large" above math.MaxInt (64-bit).
    if (token.integer > 9223372036854775807n)
      throw new ExprError(source, 'integer literal is too large', start, 'syntax');
  }
  tokens.push(token);
  return i;
}

function skipComment(source: string, start: number): number {
  if (source[start + 1] === '/') {
    const end = source.indexOf('\n', start);
    return end === -1 ? source.length : end + 1;
  }
  const end = source.indexOf('*/', start + 2);
  if (end === -1) throw new ExprError(source, 'unclosed comment', start, 'syntax');
  return end + 2;
}
