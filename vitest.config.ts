import { defineConfig } from 'vitest/config';

// Unit, storage, protocol and API tests: run outside any network namespace
// (they reach PostgreSQL and Redis on the host's loopback).
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
