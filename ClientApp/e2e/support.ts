import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterEach, beforeEach, expect } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "../..");
export const evalDir = process.env.FACEBLUR_EVAL_DIR ?? path.resolve(repoRoot, "../shared/eval");
export const dlibDir = path.join(evalDir, "dlib-faces");
export const screenshotDir = path.join(here, "../screenshots");

/** Debian's Chromium, headless, with a fresh profile; never a downloaded browser. */
export async function openBrowser(
  options: { width?: number; height?: number; colorScheme?: "light" | "dark"; touch?: boolean } = {},
) {
  const profile = mkdtempSync(path.join(tmpdir(), "faceblur-chromium-"));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    acceptDownloads: true,
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    colorScheme: options.colorScheme ?? "light",
    hasTouch: options.touch ?? false,
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
  // A new page gets every emulation of the context (touch among them); the one the browser opened with may not.
  const first = context.pages()[0];
  const page: Page = await context.newPage();
  await first?.close();
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

/**
 * Saves what the page shows: the whole page, or on a touch screen the screen as the person sees it (Chromium drops the
 * touch emulation while it captures beyond the viewport, which would show the mouse wording).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const touch = await page.evaluate(() => matchMedia("(pointer: coarse)").matches);
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: !touch });
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

const axeSource = readFileSync(path.join(here, "../node_modules/axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * Runs axe-core on the page as it is, for WCAG 2.0/2.1/2.2 A and AA, and returns its violations in a readable form
 * (empty when there are none).
 */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's Content-Security-Policy forbids inline scripts.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: Document, o: object) => Promise<{ violations: unknown[] }> } })
      .axe;
    const result = await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"] },
      resultTypes: ["violations"],
    });
    return result.violations as AxeViolation[];
  });
  return violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .slice(0, 3)
        .map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ""}`.replace(/\s+/g, " "))
        .join(" | ")}`,
  );
}

/**
 * Checks a state of the page in both themes: axe finds nothing, and a screenshot of each theme is saved as
 * `<name>-light.png` / `<name>-dark.png`.
 */
export async function checkState(page: Page, name: string): Promise<void> {
  const found: string[] = [];
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await page.waitForFunction(
      (dark) => document.documentElement.classList.contains("dark") === dark,
      colorScheme === "dark",
    );
    // Let transitions settle before measuring contrast.
    await page.waitForTimeout(250);
    found.push(...(await axeViolations(page)).map((v) => `[${colorScheme}] ${v}`));
    await screenshot(page, `${name}-${colorScheme}`);
  }
  await page.emulateMedia({ colorScheme: "light" });
  if (found.length > 0) throw new Error(`axe found problems in "${name}":\n${found.join("\n")}`);
}

/**
 * Holds the page's polls of /results/{id} (the request waits in the browser, never reaching the server) until
 * released, so a passing state like "processing" stays on screen for as long as a check needs.
 */
export async function holdPolls(page: Page) {
  let held = true;
  let waiting: (() => void)[] = [];
  await page.route(/\/results\/[^/?]+(\?.*)?$/, async (route) => {
    if (route.request().method() !== "GET") return route.continue();
    while (held) await new Promise<void>((resolve) => waiting.push(resolve));
    await route.continue();
  });
  return {
    release() {
      held = false;
      waiting.forEach((resume) => resume());
      waiting = [];
    },
  };
}

export type Browser = Awaited<ReturnType<typeof openBrowser>>;

/**
 * A fresh browser for every test of the surrounding `describe`, closed after it; a test that left an error on the
 * page fails. `current` is the running test's browser; `reopen` replaces it with one opened with other options.
 */
export function browserPerTest() {
  let browser: Browser | undefined;
  beforeEach(async () => {
    browser = await openBrowser();
  });
  afterEach(async () => {
    expect(browser?.errors).toEqual([]);
    await browser?.close();
    browser = undefined;
  });
  return {
    get current(): Browser {
      if (!browser) throw new Error("the browser is opened for each test");
      return browser;
    },
    async reopen(options: Parameters<typeof openBrowser>[0]): Promise<Browser> {
      await browser?.close();
      browser = await openBrowser(options);
      return browser;
    },
  };
}
