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
  const key = issue?.path.map(String).join('.') ?? '';
  const flag = key ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : 'options';
  const received =
    key && options && typeof options === 'object' ? (options as Record<string, unknown>)[key] : undefined;
  const got = received === undefined ? '' : `, got ${JSON.stringify(received)}`;
  throw new UsageError(`gitops-lab ${command} ${flag}: ${issue?.message ?? 'invalid value'}${got}.`, {
    hint: `Run \`gitops-lab ${command} --help\` for the accepted values.`,
  });
}

/** Commander collector for repeatable options: `--arg a=1 --arg b=2` → ['a=1', 'b=2']. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
