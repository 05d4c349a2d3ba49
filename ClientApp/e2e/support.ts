import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "../..");
export const evalDir = process.env.FACEBLUR_EVAL_DIR ?? path.resolve(repoRoot, "../shared/eval");
export const dlibDir = path.join(evalDir, "dlib-faces");
export const screenshotDir = path.join(here, "../screenshots");

/** Debian's Chromium, headless, with a fresh profile; never a downloaded browser. */
export async function openBrowser(options: { width?: number; height?: number; colorScheme?: "light" | "dark" } = {}) {
  const profile = mkdtempSync(path.join(tmpdir(), "faceblur-chromium-"));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    acceptDownloads: true,
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    colorScheme: options.colorScheme ?? "light",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page: Page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

export interface FaceBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** Ground-truth face boxes of the dlib-faces set (faces.txt), by image file name. */
export function groundTruth(): Map<string, FaceBox[]> {
  const boxes = new Map<string, FaceBox[]>();
  let current: FaceBox[] | null = null;
  for (const line of readFileSync(path.join(dlibDir, "faces.txt"), "utf8").split("\n")) {
    const header = /^# (\S+\.\w+) \d+ \d+/.exec(line);
    if (header?.[1]) {
      current = [];
      boxes.set(header[1], current);
    } else if (current && /^[\d.]+ [\d.]+ [\d.]+ [\d.]+$/.test(line.trim())) {
      const [x1, y1, x2, y2] = line.trim().split(" ").map(Number) as [number, number, number, number];
      current.push({ x1, y1, x2, y2 });
    }
  }
  return boxes;
}

export interface RegionDiff {
  /** Mean absolute difference (0..255, over RGB) inside each face box. */
  faces: number[];
  /** Mean absolute difference over the pixels far from every face. */
  outside: number;
  width: number;
  height: number;
}

/**
 * Decodes the original and the result in the browser (the same decoder for both) and measures how much each face box
 * changed, and how much everything away from the faces (boxes grown by `margin` of their size on each side) changed.
 */
export async function compareInBrowser(page: Page, original: Buffer, result: Buffer, boxes: FaceBox[], margin = 0.6) {
  return page.evaluate(
    async ({ a, b, boxes, margin }) => {
      const decode = async (base64: string) => {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const bitmap = await createImageBitmap(new Blob([bytes]));
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const ctx = canvas.getContext("2d");
        if (!ctx) throw new Error("no 2d context");
        ctx.drawImage(bitmap, 0, 0);
        return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
      };
      const [before, after] = await Promise.all([decode(a), decode(b)]);
      if (before.width !== after.width || before.height !== after.height) {
        throw new Error(`size changed: ${before.width}x${before.height} -> ${after.width}x${after.height}`);
      }
      const { width, height } = before;
      const a8 = before.data;
      const b8 = after.data;
      const diffAt = (i: number) =>
        (Math.abs((a8[i] ?? 0) - (b8[i] ?? 0)) +
          Math.abs((a8[i + 1] ?? 0) - (b8[i + 1] ?? 0)) +
          Math.abs((a8[i + 2] ?? 0) - (b8[i + 2] ?? 0))) /
        3;
      const faces = boxes.map((box) => {
        let sum = 0;
        let n = 0;
        for (let y = Math.max(0, Math.floor(box.y1)); y < Math.min(height, Math.ceil(box.y2)); y++) {
          for (let x = Math.max(0, Math.floor(box.x1)); x < Math.min(width, Math.ceil(box.x2)); x++) {
            sum += diffAt((y * width + x) * 4);
            n++;
          }
        }
        return n ? sum / n : 0;
      });
      const grown = boxes.map((box) => {
        const w = box.x2 - box.x1;
        const h = box.y2 - box.y1;
        return { x1: box.x1 - w * margin, y1: box.y1 - h * margin, x2: box.x2 + w * margin, y2: box.y2 + h * margin };
      });
      let sum = 0;
      let n = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          if (grown.some((g) => x >= g.x1 && x < g.x2 && y >= g.y1 && y < g.y2)) continue;
          sum += diffAt((y * width + x) * 4);
          n++;
        }
      }
      return { faces, outside: n ? sum / n : 0, width, height };
    },
    { a: original.toString("base64"), b: result.toString("base64"), boxes, margin },
  );
}
