import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Starts the real host in zero-setup mode (in-process queue and store, a temporary STORAGE_DIR) on a free port, unless
 * FACEBLUR_E2E_URL points at one already running. Builds FaceBlur.Web (Release) first when its output is missing.
 */
export default async function setup(project: TestProject) {
  const external = process.env.FACEBLUR_E2E_URL;
  if (external) {
    project.provide("baseUrl", external.replace(/\/$/, ""));
    return;
  }
  const dll = path.join(root, "FaceBlur.Web/bin/Release/net10.0/FaceBlur.Web.dll");
  if (!existsSync(dll) || !existsSync(path.join(path.dirname(dll), "wwwroot/index.html"))) {
    const build = spawnSync(
      "dotnet",
      ["build", "FaceBlur.Web/FaceBlur.Web.csproj", "-c", "Release", "--nologo", "-v", "quiet"],
      {
        cwd: root,
        stdio: "inherit",
      },
    );
    if (build.status !== 0) throw new Error("Building FaceBlur.Web failed.");
  }
  const port = await freePort();
  const storage = mkdtempSync(path.join(tmpdir(), "faceblur-e2e-"));
  const baseUrl = `http://127.0.0.1:${port}`;
  const host: ChildProcess = spawn("dotnet", [dll, "--contentRoot", root, "--urls", baseUrl], {
    cwd: root,
    env: {
      ...process.env,
      STORAGE_DIR: storage,
      STATS_DB_PATH: path.join(storage, "stats.db"),
      RABBITMQ_URL: "",
      REDIS_URL: "",
      BLUR_RATE_LIMIT: process.env.BLUR_RATE_LIMIT ?? "100/minute",
      LOG_LEVEL: "Warning",
      DETECTOR_MODEL_PATH:
        process.env.DETECTOR_MODEL_PATH ?? path.join(root, "models/face_detection_yunet_2023mar.onnx"),
      DETECTOR_MODEL_N_PATH: process.env.DETECTOR_MODEL_N_PATH ?? path.join(root, "models/yunet_n_640_640.onnx"),
      VIDEO_DETECTOR_MODEL_PATH:
        process.env.VIDEO_DETECTOR_MODEL_PATH ?? path.join(root, "models/yunet_n_dynamic.onnx"),
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  let exited = false;
  host.on("exit", () => (exited = true));
  await waitUntilUp(`${baseUrl}/health`, () => exited);
  project.provide("baseUrl", baseUrl);

  return async () => {
    host.kill("SIGTERM");
    await new Promise((resolve) => (exited ? resolve(null) : host.once("exit", resolve)));
    rmSync(storage, { recursive: true, force: true });
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

async function waitUntilUp(url: string, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (exited()) throw new Error("The FaceBlur host exited during start-up (see its output above).");
    try {
      const response = await fetch(url);
      if (response.status === 200 || response.status === 503) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`The FaceBlur host did not answer ${url} within 90 s.`);
}
