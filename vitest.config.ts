import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Tests that spawn the built CLI need dist/; `npm test` builds first (pretest).
    pool: 'forks',
  },
});
