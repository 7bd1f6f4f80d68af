import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The JSON report is what `.ci/run` counts passed and failed tests from.
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
    projects: [
      {
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/**/*.it.test.ts'] },
      },
      {
        // Integration tests share one broker and one store: their files run one at a time.
        test: {
          name: 'integration',
          include: ['test/**/*.it.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
