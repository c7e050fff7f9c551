import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'protocol/**/*.test.ts', 'client/src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    // Whisper and ONNX Runtime use both cores; running test files in parallel only makes them fight.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
