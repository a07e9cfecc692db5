import { defineConfig } from 'vitest/config';

// Browser tests in real Chromium. scripts/test.mjs runs them inside a private
// network namespace (only `lo`), so media never leaves loopback.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: browsers are heavy, run files one at a time.
    fileParallelism: false,
    // One retry for a whole-browser test on a shared 2-core machine; vitest prints every retry,
    // so a test that needs it is visible in the log and gets looked at, not hidden.
    retry: 1,
  },
});
