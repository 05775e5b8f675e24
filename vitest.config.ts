import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Bounds only a failing test: CLI-spawning tests (test/cli/**,
    // test/e2e/cli-*) can take 3-4x their usual time on a loaded machine.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
