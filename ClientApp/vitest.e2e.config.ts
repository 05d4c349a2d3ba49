import { defineConfig } from "vitest/config";

// End-to-end tests: a real host (started by e2e/global-setup.ts unless FACEBLUR_E2E_URL is set) driven through
// Debian's Chromium with playwright-core. Run alone with `npm run test:e2e` (or `npm run test:e2e:video`).
export default defineConfig({
  test: {
    environment: "node",
    include: ["e2e/**/*.e2e.test.ts"],
    globalSetup: ["e2e/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: "forks",
  },
});
