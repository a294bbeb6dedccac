import type { Finding } from '../../lab/doctor/checks.js';
import { type OutputStreams, paint } from '../output.js';

/** One preflight/doctor finding as a line: ✓ what was found, or ✗ what is missing plus how to fix it. */
export function findingLine(f: Finding, out: OutputStreams['stdout']): string {
  const mark = f.ok
    ? paint('green', '✓', out)
    : f.required
      ? paint('red', '✗', out)
      : paint('yellow', '!', out);
  return `${mark} ${f.ok ? f.detail : `${f.detail}${f.fix ? `\n    fix: ${f.fix}` : ''}`}`;
}
