/**
 * The `matches` operator with Go's regexp (RE2) semantics, as expr v1.15.5 runs it: checker/checker.go
 * compiles a constant pattern with regexp.Compile at check time (a bad one is a compile error with Go's
 * message), vm/vm.go OpMatches calls regexp.MatchString at run time (a bad pattern panics with the same
 * message). RE2 is re2js, a port of RE2/J, loaded on first use so start-up does not pay for it.
 */
import { createRequire } from 'node:module';
import type { RE2JS as RE2JSType } from 're2js';

type Pattern = ReturnType<typeof RE2JSType.compile>;

let engine: typeof RE2JSType | undefined;
const cache = new Map<string, Pattern | Error>();

function re2(): typeof RE2JSType {
  engine ??= (createRequire(import.meta.url)('re2js') as { RE2JS: typeof RE2JSType }).RE2JS;
  return engine;
}

/**
 * Compiles a pattern as Go's regexp.Compile does; throws an Error whose message is Go's
 * ("error parsing regexp: missing closing ): `a(b`").
 */
export function compileRegexp(pattern: string): Pattern {
  let compiled = cache.get(pattern);
  if (compiled === undefined) {
    try {
      compiled = re2().compile(pattern);
    } catch (error) {
      compiled = new Error((error as Error).message);
    }
    if (cache.size > 256) cache.clear();
    cache.set(pattern, compiled);
  }
  if (compiled instanceof Error) throw compiled;
  return compiled;
}

/** Go's regexp.MatchString: is there a match anywhere in `text` (not anchored). */
export function matchString(pattern: string, text: string): boolean {
  return compileRegexp(pattern).matcher(text).find();
}
