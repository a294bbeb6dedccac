import { afterEach, describe, expect, it, vi } from 'vitest';
import { isInteractive } from '../../src/cli/output.js';

const tty = { isTTY: true };

describe('isInteractive: live views only where a person watches a terminal', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is a TTY outside CI', () => {
    vi.stubEnv('CI', 'false');
    vi.stubEnv('CONTINUOUS_INTEGRATION', '0');
    vi.stubEnv('TERM', 'xterm-256color');
    expect(isInteractive(tty)).toBe(true);
    expect(isInteractive({ isTTY: false })).toBe(false);
  });

  it.each([
    ['CI', 'true'],
    ['CI', '1'],
    ['CI', ''],
    ['CONTINUOUS_INTEGRATION', 'yes'],
  ])('is not, with %s=%j (ink would draw nothing until the end)', (key, value) => {
    vi.stubEnv('CI', 'false');
    vi.stubEnv('CONTINUOUS_INTEGRATION', 'false');
    vi.stubEnv('TERM', 'xterm-256color');
    vi.stubEnv(key, value);
    expect(isInteractive(tty)).toBe(false);
  });

  it('is not on a dumb terminal', () => {
    vi.stubEnv('CI', 'false');
    vi.stubEnv('CONTINUOUS_INTEGRATION', 'false');
    vi.stubEnv('TERM', 'dumb');
    expect(isInteractive(tty)).toBe(false);
  });
});
