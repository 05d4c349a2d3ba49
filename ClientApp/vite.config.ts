import path from "node:path";
import { fileURLToPath } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

const here = path.dirname(fileURLToPath(import.meta.url));
// `npm run dev` serves the page on :5173 and forwards the API to the running host (./run.sh, :8080 by default).
const api = process.env.FACEBLUR_API_URL ?? "http://localhost:8080";
const apiRoutes = [
  "/blur",
  "/results",
  "/health",
  "/queue",
  "/limits",
  "/stats",
  "/metrics",
  "/openapi",
  "/api-reference",
];

export default defineConfig({
  plugins: [react(), tailwindcss()],
  resolve: { alias: { "@": path.join(here, "src") } },
  server: {
    proxy: Object.fromEntries(apiRoutes.map((route) => [route, { target: api, changeOrigin: true }])),
  },
  build: {
    // The host serves this folder (FaceBlur.Web/wwwroot, ignored by git); hashed files go under /assets.
    outDir: path.join(here, "../FaceBlur.Web/wwwroot"),
    emptyOutDir: true,
    assetsDir: "assets",
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
  },
});
