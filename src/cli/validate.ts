import type { z } from 'zod';
import { UsageError } from '../errors.js';

/**
 * Validates a command's parsed options with a zod schema. A failure becomes a UsageError (exit 2) naming the
 * flag and what is wrong with it, e.g. `--concurrency: expected a number from 1 to 64, got "x"`.
 */
export function parseOptions<S extends z.ZodType>(schema: S, options: unknown, command: string): z.output<S> {
  const result = schema.safeParse(options);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // The flag is the option's name; a repeatable flag's issue path also holds the index of the bad value
  // (['var', 1]), which names no flag: the value itself is shown instead.
  const [key, ...rest] = issue?.path ?? [];
  const flag =
    key === undefined ? 'options' : `--${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  let received: unknown = options;
  for (const segment of issue?.path ?? []) {
    received =
      received && typeof received === 'object'
        ? (received as Record<PropertyKey, unknown>)[segment as PropertyKey]
        : undefined;
  }
  if (key === undefined) received = undefined;
  const got =
    received === undefined
      ? ''
      : `, got ${JSON.stringify(received)}${rest.length ? ` (${flag} number ${Number(rest[0]) + 1})` : ''}`;
  throw new UsageError(`gitops-lab ${command} ${flag}: ${issue?.message ?? 'invalid value'}${got}.`, {
    hint: `Run \`gitops-lab ${command} --help\` for the accepted values.`,
  });
}

/** Commander collector for repeatable options: `--arg a=1 --arg b=2` → ['a=1', 'b=2']. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
