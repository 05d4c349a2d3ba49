import { readFileSync } from "node:fs";
import { describe, expect, inject, it } from "vitest";
import { browserPerTest, compareInBrowser, groundTruth, screenshot } from "./support";
import { unsureScore } from "../src/lib/regions";
import { photo } from "./fixtures";

const baseUrl = inject("baseUrl");

describe("photos", () => {
  const browser = browserPerTest();

  it("uploads a photo, shows progress and the before/after, and downloads a result whose faces alone changed", async () => {
    const { page } = browser.current;
    const name = "2008_002506.jpg";
    const served: number[] = [];
    // The result itself (not its regions, which stay readable after the download).
    page.on("response", (r) => /\/results\/[^/]+$/.test(new URL(r.url()).pathname) && served.push(r.status()));

    await page.goto(baseUrl);
    await page.getByTestId("status-badge").filter({ hasText: "Online" }).waitFor();
    await page.getByTestId("drop-zone").waitFor();
    await screenshot(page, "01-start");

    await page.getByTestId("file-input").setInputFiles(photo(name));
    await page.getByRole("list", { name: "Chosen files" }).getByText(name).waitFor();
    await screenshot(page, "02-selected");

    // Record every stage the progress card shows, however quickly the job runs.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __stages: string[] }).__stages = seen;
      new MutationObserver(() => {
        const stage = document.querySelector("[data-testid=job-stage]")?.textContent;
        if (stage && seen[seen.length - 1] !== stage) seen.push(stage);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByTestId("submit").click();
    await page.getByTestId("result").waitFor({ timeout: 60_000 });
    const stages = await page.evaluate(() => (window as unknown as { __stages: string[] }).__stages);
    expect(stages[0]).toBe("Uploading");
    expect(stages.length).toBeGreaterThan(1);

    const summary = await page.getByTestId("result-summary").textContent();
    expect(summary).toMatch(/^[1-9]\d* faces? hidden in the photo\.$/);
    await screenshot(page, "03-result-photo");

    // The comparison slider: keyboard and drag.
    await page.getByTestId("tab-compare").click();
    const handle = page.getByTestId("compare-handle");
    await handle.focus();
    await page.keyboard.press("End");
    expect(await handle.getAttribute("aria-valuenow")).toBe("100");
    await page.keyboard.press("ArrowLeft");
    expect(await handle.getAttribute("aria-valuenow")).toBe("98");
    const box = await page.getByTestId("compare").boundingBox();
    if (!box) throw new Error("no comparison frame");
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    expect(Number(await handle.getAttribute("aria-valuenow"))).toBeGreaterThanOrEqual(24);
    expect(Number(await handle.getAttribute("aria-valuenow"))).toBeLessThanOrEqual(26);
    await screenshot(page, "04-result-slider-dragged");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download").click()]);
    expect(download.suggestedFilename()).toBe("2008_002506-blurred.jpg");
    const result = readFileSync(await download.path());
    const original = readFileSync(photo(name));
    const boxes = groundTruth().get(name) ?? [];
    const diff = await compareInBrowser(page, original, result, boxes);
    for (const face of diff.faces) expect(face).toBeGreaterThan(8);
    expect(diff.outside).toBeLessThan(2.5);

    // Served once, downloaded once: the page kept the blob for the preview and the download.
    expect(served.filter((s) => s === 200)).toHaveLength(1);
    expect(served).not.toContain(410);
  });

  it("processes several photos into a grid with faces per photo and a zip", async () => {
    const { page } = browser.current;
    const names = ["2008_001009.jpg", "2008_001322.jpg", "2009_004587.jpg", "2008_004176.jpg", "2007_007763.jpg"];
    // The regions export the page reads: how many faces it must mark unsure follows from the detector's own scores.
    const exported = new Promise<{ files: { regions: { score?: number; source: string }[] }[] }>((resolve) =>
      page.on("response", (r) => {
        if (/\/results\/[^/]+\/regions$/.test(new URL(r.url()).pathname))
          void r
            .json()
            .then((body: { data: { files: { regions: { score?: number; source: string }[] }[] } }) =>
              resolve(body.data),
            );
      }),
    );
    await page.goto(baseUrl);
    await page.getByTestId("file-input").setInputFiles(names.map(photo));
    await expect.poll(() => page.getByRole("list", { name: "Chosen files" }).getByRole("listitem").count()).toBe(5);
    await page.getByTestId("submit").click();
    await page.getByTestId("job-progress").waitFor();
    // A moment into the job: real progress from the server.
    await page.waitForFunction(
      () => {
        const bar = document.querySelector("[data-testid=job-progress-bar]");
        const now = Number(bar?.getAttribute("aria-valuenow") ?? bar?.getAttribute("data-value") ?? "0");
        return now > 0 || document.querySelector("[data-testid=result]") !== null;
      },
      undefined,
      { timeout: 60_000, polling: 50 },
    );
    await screenshot(page, "05-progress");
    await page.getByTestId("result").waitFor({ timeout: 90_000 });
    const grid = page.getByTestId("grid-photo");
    expect(await grid.count()).toBe(5);
    const labels = await grid.evaluateAll((buttons) => buttons.map((b) => b.getAttribute("aria-label") ?? ""));
    for (const label of labels) expect(label).toMatch(/, \d+ faces?$/);
    const perPhoto = labels.map((l) => Number(/(\d+) faces?$/.exec(l)?.[1]));
    const summary = (await page.getByTestId("result-summary").textContent()) ?? "";
    expect(Number(/^(\d+)/.exec(summary)?.[1])).toBe(perPhoto.reduce((a, b) => a + b, 0));
    await grid.nth(2).click();
    expect(await grid.nth(2).getAttribute("aria-pressed")).toBe("true");
    // Faces the detector was unsure of (2008_004176.jpg has small, low-score ones) are marked for the person to check.
    const unsure = (await exported).files[3].regions.filter(
      (r) => r.source === "detector" && (r.score ?? 1) < unsureScore,
    ).length;
    expect(unsure).toBeGreaterThan(0);
    await grid.nth(3).click();
    expect(await page.getByTestId("review-counts").textContent()).toContain(`, ${unsure} unsure`);
    expect(await page.getByTestId("review-frame").getByText("unsure, please check").count()).toBe(unsure);
    expect(await page.getByTestId("result-advice").textContent()).toMatch(new RegExp(`^${unsure} (is|are) unsure\\.`));
    await screenshot(page, "06-result-grid");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download").click()]);
    expect(download.suggestedFilename()).toBe("5-photos-blurred.zip");
    // Each photo can be saved on its own, named after its original.
    const [one] = await Promise.all([page.waitForEvent("download"), page.getByTestId("grid-download").nth(1).click()]);
    expect(one.suggestedFilename()).toBe("2008_001322-blurred.jpg");

    // "Try other settings" goes back to the options with the same files; "New files" starts empty.
    await page.getByTestId("try-other").click();
    await page.getByTestId("drop-zone").waitFor();
    expect(await page.getByRole("list", { name: "Chosen files" }).getByRole("listitem").count()).toBe(5);
    expect(page.url()).not.toContain("task=");
  });

  it("remembers the options between visits", async () => {
    const { page } = browser.current;
    await page.goto(baseUrl);
    await page.getByRole("radio", { name: "Pixelate" }).click();
    await page.getByRole("radio", { name: "Rectangle" }).click();
    const strength = page.getByRole("slider", { name: "Strength" });
    await strength.focus();
    await page.keyboard.press("Home");
    await page.reload();
    expect(await page.getByRole("radio", { name: "Pixelate" }).getAttribute("aria-checked")).toBe("true");
    expect(await page.getByRole("radio", { name: "Rectangle" }).getAttribute("aria-checked")).toBe("true");
    expect(await page.getByRole("slider", { name: "Strength" }).getAttribute("aria-valuenow")).toBe("1");
    // Screen readers hear "20%", not "20".
    expect(await page.getByRole("slider", { name: "Padding" }).getAttribute("aria-valuetext")).toBe("20%");
  });
});
