// Review and fix a photo: keep a found face, mark a missed one, apply, and check the downloaded pixels.
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { photoWithMissedFace } from "./fixtures";
import { browserPerTest, compareInBrowser, screenshot, type FaceBox } from "./support";

const baseUrl = inject("baseUrl");

/** The regions shown over the photo, as the page draws them (image pixels). */
async function regions(page: Page) {
  return page
    .getByTestId("review-frame")
    .locator("[data-region-id]")
    .evaluateAll((marks) =>
      marks.map((m) => {
        const [x, y, w, h] = (m.getAttribute("data-box") ?? "").split(",").map(Number) as [
          number,
          number,
          number,
          number,
        ];
        return { id: m.getAttribute("data-region-id"), hidden: m.getAttribute("data-hidden") === "true", x, y, w, h };
      }),
    );
}

const toFaceBox = (r: { x: number; y: number; w: number; h: number }): FaceBox => ({
  x1: r.x,
  y1: r.y,
  x2: r.x + r.w,
  y2: r.y + r.h,
});

/** The downloaded photo against the original: the kept face unchanged, the hidden ones and the drawn box changed. */
async function expectPixels(page: Page, original: string, result: Buffer, hidden: FaceBox[], kept: FaceBox) {
  const diff = await compareInBrowser(page, readFileSync(original), result, [...hidden, kept], 0.3);
  const keptDiff = diff.faces[diff.faces.length - 1]!;
  for (const face of diff.faces.slice(0, -1)) expect(face).toBeGreaterThan(8);
  expect(keptDiff).toBeLessThan(3);
  expect(diff.outside).toBeLessThan(2.5);
}

async function download(page: Page) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download").click()]);
  return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
}

describe("review and fix", () => {
  const browser = browserPerTest();

  it("keeps a found face, marks a missed one with the mouse, applies, and only those pixels differ", async () => {
    const { page } = browser.current;
    const { file, missed } = photoWithMissedFace();
    await page.goto(baseUrl);
    await page.getByTestId("file-input").setInputFiles(file);
    await page.getByTestId("submit").click();
    await page.getByTestId("result").waitFor({ timeout: 60_000 });
    expect(await page.getByTestId("result-summary").textContent()).toBe("3 faces hidden in the photo.");
    const found = await regions(page);
    expect(found).toHaveLength(3);
    await screenshot(page, "20-review");

    // Zoom with the wheel at the pointer, then fit again.
    const frame = page.getByTestId("review-frame");
    const frameBox = (await frame.boundingBox())!;
    const fitZoom = await page.getByTestId("zoom-level").textContent();
    await page.mouse.move(frameBox.x + frameBox.width / 2, frameBox.y + frameBox.height / 2);
    await page.mouse.wheel(0, -400);
    await expect.poll(() => page.getByTestId("zoom-level").textContent()).not.toBe(fitZoom);
    await page.getByRole("button", { name: "Fit the photo" }).click();
    expect(await page.getByTestId("zoom-level").textContent()).toBe(fitZoom);

    // Keep the rightmost face visible: a click on it switches it from hidden to kept.
    const keptFace = found.reduce((a, b) => (b.x > a.x ? b : a));
    const keptMark = frame.locator(`[data-region-id="${keptFace.id}"]`);
    await keptMark.click();
    expect(await keptMark.getAttribute("aria-checked")).toBe("false");

    // Draw a box a little off the face the detector missed, move it onto the face, and resize it by its corner.
    const img = (await frame.locator("img").boundingBox())!;
    const scale = img.width / 500;
    const screen = (x: number, y: number) => ({ x: img.x + x * scale, y: img.y + y * scale });
    const drag = async (from: { x: number; y: number }, to: { x: number; y: number }) => {
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(to.x, to.y, { steps: 6 });
      await page.mouse.up();
    };
    await drag(screen(missed.x1 + 30, missed.y1 + 20), screen(missed.x2 + 10, missed.y2));
    await expect.poll(async () => (await regions(page)).length).toBe(4);
    const drawnFirst = (await regions(page)).find((r) => r.id === "m1")!;
    expect(drawnFirst.x).toBeCloseTo(missed.x1 + 30, -1);
    const centre = screen(drawnFirst.x + drawnFirst.w / 2, drawnFirst.y + drawnFirst.h / 2);
    await drag(centre, { x: centre.x - 30 * scale, y: centre.y - 20 * scale });
    const moved = (await regions(page)).find((r) => r.id === "m1")!;
    const corner = screen(moved.x + moved.w, moved.y + moved.h);
    await drag(corner, screen(missed.x2, missed.y2));
    const drawn = (await regions(page)).find((r) => r.id === "m1")!;
    for (const [got, want] of [
      [drawn.x, missed.x1],
      [drawn.y, missed.y1],
      [drawn.x + drawn.w, missed.x2],
      [drawn.y + drawn.h, missed.y2],
    ] as const) {
      expect(Math.abs(got - want)).toBeLessThanOrEqual(3);
    }

    // A stray box deleted with the toolbar; undo brings it back, redo deletes it again.
    await drag(screen(400, 300), screen(460, 350));
    expect(await regions(page)).toHaveLength(5);
    await page.getByRole("button", { name: "Delete the selected box" }).click();
    expect(await regions(page)).toHaveLength(4);
    await page.getByTestId("undo").click();
    expect(await regions(page)).toHaveLength(5);
    await page.getByTestId("redo").click();
    expect(await regions(page)).toHaveLength(4);
    expect(await page.getByTestId("apply-bar").textContent()).toContain("2 changes to the faces");
    await screenshot(page, "21-review-edited");

    await page.getByTestId("apply").click();
    await page.getByTestId("result").waitFor({ timeout: 60_000 });
    expect(await page.getByTestId("result-summary").textContent()).toBe("3 faces hidden in the photo.");
    const after = await regions(page);
    expect(after.map((r) => r.hidden).sort()).toEqual([false, true, true, true]);
    await screenshot(page, "22-review-applied");

    const { name, bytes } = await download(page);
    expect(name).toBe("party-blurred.jpg");
    const hiddenFaces = found.filter((f) => f.id !== keptFace.id).map(toFaceBox);
    await expectPixels(page, file, bytes, [...hiddenFaces, missed], toFaceBox(keptFace));
  });

  it("does the same review with the keyboard alone, placing a box with the keys", async () => {
    const { page } = browser.current;
    const { file, missed } = photoWithMissedFace("keys.jpg");
    await page.goto(baseUrl);
    await page.getByTestId("file-input").setInputFiles(file);
    await page.getByTestId("submit").focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("result").waitFor({ timeout: 60_000 });
    // Focus lands on the new state's heading.
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("result-summary");

    const focused = () => page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? "");
    const tabTo = async (testId: string, key = "Tab") => {
      for (let i = 0; i < 40 && (await focused()) !== testId; i++) await page.keyboard.press(key);
      expect(await focused()).toBe(testId);
    };

    // Tab reaches the first region; arrow keys go through them; Space keeps the focused face visible.
    await tabTo("region-1");
    await page.keyboard.press("ArrowRight");
    expect(await focused()).toBe("region-2");
    await page.keyboard.press("Space");
    const found = await regions(page);
    const kept = found[1]!;
    expect(kept.hidden).toBe(false);

    // "Add a box" puts one in the middle of the view, focused; arrows move it, Shift+arrows resize it.
    await tabTo("add-box", "Shift+Tab");
    await page.keyboard.press("Enter");
    expect(await focused()).toBe("region-4");
    const box = async () => (await regions(page))[3]!;
    const steer = async (get: () => Promise<number>, target: number, less: string, more: string) => {
      for (let i = 0; i < 200; i++) {
        const now = await get();
        if (Math.abs(now - target) <= 3) return;
        await page.keyboard.press(now > target ? less : more);
      }
      throw new Error(`could not steer to ${target}`);
    };
    await steer(async () => (await box()).x, missed.x1, "ArrowLeft", "ArrowRight");
    await steer(async () => (await box()).y, missed.y1, "ArrowUp", "ArrowDown");
    await steer(async () => (await box()).w, missed.x2 - missed.x1, "Shift+ArrowLeft", "Shift+ArrowRight");
    await steer(async () => (await box()).h, missed.y2 - missed.y1, "Shift+ArrowUp", "Shift+ArrowDown");
    await screenshot(page, "23-review-keyboard");

    // Undo with the keyboard shortcut, redo again: the history treats the arrow presses as steps per direction.
    await page.keyboard.press("Control+z");
    await page.keyboard.press("Control+Shift+z");

    const drawn = await box();
    await tabTo("apply");
    await page.keyboard.press("Enter");
    await page.getByTestId("result").waitFor({ timeout: 60_000 });
    await tabTo("download");
    const [saved] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
    await expectPixels(
      page,
      file,
      readFileSync(await saved.path()),
      [toFaceBox(found[0]!), toFaceBox(found[2]!), toFaceBox(drawn)],
      toFaceBox(kept),
    );
  });

  it("on a phone: a tap keeps a face, one finger draws a box, two fingers pinch to zoom", async () => {
    const { page } = await browser.reopen({ width: 390, height: 844, touch: true });
    const { file, missed } = photoWithMissedFace("phone.jpg");
    await page.goto(baseUrl);
    await page.getByText("Tap to choose photos or a video").waitFor();
    await page.getByTestId("file-input").setInputFiles(file);
    await page.getByTestId("submit").click();
    await page.getByTestId("result").waitFor({ timeout: 60_000 });
    const frame = page.getByTestId("review-frame");
    await frame.scrollIntoViewIfNeeded();

    const first = page.getByTestId("region-1");
    const mark = (await first.boundingBox())!;
    await page.touchscreen.tap(mark.x + mark.width / 2, mark.y + mark.height / 2);
    expect(await first.getAttribute("aria-checked")).toBe("false");

    const cdp = await page.context().newCDPSession(page);
    type Finger = { x: number; y: number; id: number };
    const touch = (type: "touchStart" | "touchMove" | "touchEnd", touchPoints: Finger[]) =>
      cdp.send("Input.dispatchTouchEvent", { type, touchPoints });
    const img = (await frame.locator("img").boundingBox())!;
    const scale = img.width / 500;
    const from = { x: img.x + missed.x1 * scale, y: img.y + missed.y1 * scale, id: 1 };
    const to = { x: img.x + missed.x2 * scale, y: img.y + missed.y2 * scale, id: 1 };
    await touch("touchStart", [from]);
    for (let i = 1; i <= 6; i++) {
      await touch("touchMove", [
        { id: 1, x: from.x + ((to.x - from.x) * i) / 6, y: from.y + ((to.y - from.y) * i) / 6 },
      ]);
    }
    await touch("touchEnd", []);
    await expect.poll(async () => (await regions(page)).some((r) => r.id === "m1")).toBe(true);
    const drawn = (await regions(page)).find((r) => r.id === "m1")!;
    expect(Math.abs(drawn.x - missed.x1)).toBeLessThanOrEqual(4);
    expect(Math.abs(drawn.x + drawn.w - missed.x2)).toBeLessThanOrEqual(4);

    const before = Number((await page.getByTestId("zoom-level").textContent())?.replace("%", ""));
    const box = (await frame.boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await touch("touchStart", [
      { id: 1, x: cx - 20, y: cy },
      { id: 2, x: cx + 20, y: cy },
    ]);
    for (let i = 1; i <= 6; i++) {
      await touch("touchMove", [
        { id: 1, x: cx - 20 - i * 12, y: cy },
        { id: 2, x: cx + 20 + i * 12, y: cy },
      ]);
    }
    await touch("touchEnd", []);
    const after = Number((await page.getByTestId("zoom-level").textContent())?.replace("%", ""));
    expect(after).toBeGreaterThan(before * 2);
    // The pinch drew nothing.
    expect((await regions(page)).filter((r) => r.id?.startsWith("m"))).toHaveLength(1);
    await screenshot(page, "24-review-phone");
  });
});
