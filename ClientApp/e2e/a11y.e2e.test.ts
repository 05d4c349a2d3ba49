// Every state of the page at a desktop and a phone size, in light and dark: axe finds no WCAG 2.2 A/AA problem, and a
// screenshot of each is saved. On the phone, the main button stays on screen with ten photos chosen.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { clipWithFaces, photo, photoWithoutFaces } from "./fixtures";
import { checkState, holdPolls, openBrowser } from "./support";

const baseUrl = inject("baseUrl");
const sizes = [
  { name: "desktop", width: 1280, height: 900, touch: false },
  { name: "phone", width: 390, height: 844, touch: true },
];
const ten = [
  "2007_007763.jpg",
  "2008_001009.jpg",
  "2008_001322.jpg",
  "2008_002079.jpg",
  "2008_002470.jpg",
  "2008_002506.jpg",
  "2008_004176.jpg",
  "2008_007676.jpg",
  "2009_004587.jpg",
].map(photo);

describe.each(sizes)("every state at $name size", ({ name, width, height, touch }) => {
  it("passes axe in light and dark", async () => {
    const browser = await openBrowser({ width, height, touch });
    const { page } = browser;
    const at = (state: string) => `40-${name}-${state}`;
    try {
      await page.goto(baseUrl);
      await page.getByTestId("status-badge").filter({ hasText: "Online" }).waitFor();
      await checkState(page, at("start"));
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(
        0,
      );

      // Ten photos chosen: a compact list, and the main button still on screen (sticky on a phone).
      await page.getByTestId("file-input").setInputFiles([...ten, photoWithoutFaces()]);
      await expect.poll(() => page.getByRole("list", { name: "Chosen files" }).getByRole("listitem").count()).toBe(10);
      const button = (await page.getByTestId("submit").boundingBox())!;
      expect(button.y + button.height).toBeLessThanOrEqual(height);
      expect(button.y).toBeGreaterThanOrEqual(0);
      await checkState(page, at("selected"));

      // Removing a file moves focus to the next file's remove button, never to the page's body.
      await page.getByRole("button", { name: "Remove 2007_007763.jpg" }).click();
      expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe(
        "Remove 2008_001009.jpg",
      );

      // The server refuses a file that only looks like a photo: the error is focused and announced.
      const fake = path.join(tmpdir(), `faceblur-fake-${name}.jpg`);
      writeFileSync(fake, "this is text pretending to be a JPEG");
      await page.getByRole("button", { name: "Clear" }).click();
      await page.getByTestId("file-input").setInputFiles(fake);
      await page.getByTestId("submit").click();
      await page.getByTestId("error").waitFor();
      await checkState(page, at("error"));

      // While the job runs (its polls held so the state stays): the progress, with focus on its heading.
      await page.getByRole("button", { name: "Clear" }).click();
      await page.getByTestId("file-input").setInputFiles(photo("2008_001322.jpg"));
      const polls = await holdPolls(page);
      await page.getByTestId("submit").click();
      await page
        .getByTestId("job-stage")
        .filter({ hasText: /Starting|queue|Finding|Saving/ })
        .waitFor();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("progress-title");
      await checkState(page, at("processing"));
      polls.release();

      await page.getByTestId("result").waitFor({ timeout: 60_000 });
      expect(await page.getByTestId("announcer").textContent()).toBe("3 faces hidden in the photo.");
      await checkState(page, at("result-review"));
      await page.getByTestId("region-1").click();
      await page.getByTestId("apply-bar").waitFor();
      await checkState(page, at("result-edited"));
      await page.getByTestId("tab-compare").click();
      await checkState(page, at("result-compare"));

      // A reload after the download: the server deleted the result, and the page says so.
      page.on("dialog", (dialog) => void dialog.accept());
      await page.reload();
      await page.getByTestId("result-gone").waitFor();
      await checkState(page, at("gone"));

      // No face found: a warning that invites marking faces by hand, never a success. On the way, a slow connection
      // holds the upload and then the download on screen.
      await page.getByRole("button", { name: "Clear" }).click();
      await page.getByTestId("file-input").setInputFiles(photoWithoutFaces());
      const cdp = await page.context().newCDPSession(page);
      const throttle = (upload: number, download: number) =>
        cdp.send("Network.emulateNetworkConditions", {
          offline: false,
          latency: 0,
          uploadThroughput: upload,
          downloadThroughput: download,
        });
      await throttle(4 * 1024, -1);
      await page.getByTestId("submit").click();
      await page.getByTestId("job-stage").filter({ hasText: "Uploading" }).waitFor();
      await checkState(page, at("uploading"));
      await throttle(-1, 4 * 1024);
      await page.getByTestId("job-stage").filter({ hasText: "Downloading" }).waitFor({ timeout: 60_000 });
      await checkState(page, at("downloading"));
      await throttle(-1, -1);
      await page.getByTestId("result").waitFor({ timeout: 60_000 });
      expect(await page.getByTestId("result-summary").getAttribute("data-warning")).toBe("true");
      expect(await page.getByTestId("result-summary").textContent()).toBe("No faces found in the photo.");
      await checkState(page, at("no-faces"));
      await page.getByTestId("mark-by-hand").click();
      await page.getByTestId("review-frame").waitFor();

      // A video: its result, the before/after on one player, and the faces tracked through it.
      await page.getByTestId("new-files").click();
      await page.getByTestId("file-input").setInputFiles(clipWithFaces(2));
      await page.getByTestId("submit").click();
      await page.getByTestId("result").waitFor({ timeout: 110_000 });
      await checkState(page, at("video-result"));
      await page.getByTestId("tab-faces").click();
      await page.getByTestId("track-picture").first().waitFor({ timeout: 20_000 });
      await checkState(page, at("video-faces"));
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
