import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // one mock for the whole run, stopped when it ends
    globalSetup: ['oss-mock/vitest'],
  },
});
