import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Live-probe, docker and tmux tests share the machine's kernel and terminal: run files one at a time.
    fileParallelism: false,
    // Event times print in local time, like sysdig; the goldens were made in UTC.
    env: { TZ: 'UTC' },
  },
});
