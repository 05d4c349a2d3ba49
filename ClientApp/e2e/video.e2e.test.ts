// The video flow: upload a clip with faces, follow the progress, play the MP4 result and download it.
// Run it alone: `cd ClientApp && npm run test:e2e:video` (starts its own host; or FACEBLUR_E2E_URL=http://host:port).
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { dlibDir, openBrowser, screenshot } from "./support";

const baseUrl = inject("baseUrl");

/** A 3-second H.264 clip of a photo with faces, slowly panning, made with ffmpeg. */
function clipWithFaces(): string {
  const out = path.join(mkdtempSync(path.join(tmpdir(), "faceblur-e2e-video-")), "party.mp4");
  execFileSync("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-loop",
    "1",
    "-i",
    path.join(dlibDir, "images/2008_002506.jpg"),
    "-t",
    "3",
    "-r",
    "10",
    "-vf",
    "scale=480:-2,crop=440:in_h:'t*10':0",
    "-c:v",
    "libx264",
    "-pix_fmt",
    "yuv420p",
    "-movflags",
    "+faststart",
    "-y",
    out,
  ]);
  return out;
}

describe("video", () => {
  it("uploads a video, shows progress, then plays the result and downloads the MP4", async () => {
    const browser = await openBrowser();
    try {
      const { page } = browser;
      const clip = clipWithFaces();
      await page.goto(baseUrl);
      await page.getByTestId("file-input").setInputFiles(clip);
      await page.getByRole("list", { name: "Chosen files" }).getByText("party.mp4").waitFor();
      await screenshot(page, "11-video-selected");
      await page.getByTestId("submit").click();
      await page.getByTestId("job-progress").waitFor();
      await screenshot(page, "12-video-progress");

      const outcome = await Promise.race([
        page
          .getByTestId("result")
          .waitFor({ timeout: 110_000 })
          .then(() => "result" as const),
        page
          .getByTestId("error")
          .waitFor({ timeout: 110_000 })
          .then(() => "error" as const),
      ]);
      if (outcome === "error") {
        const message = (await page.getByTestId("error").textContent()) ?? "";
        await screenshot(page, "12-video-failed");
        throw new Error(`The video job failed: ${message}`);
      }

      const video = page.getByTestId("result-video");
      await video.waitFor();
      await page.waitForFunction(
        () => ((document.querySelector("[data-testid=result-video]") as HTMLVideoElement | null)?.readyState ?? 0) >= 1,
        undefined,
        { timeout: 20_000 },
      );
      const duration = await video.evaluate((v) => (v as HTMLVideoElement).duration);
      expect(duration).toBeGreaterThan(2.5);
      expect(duration).toBeLessThan(3.5);
      await screenshot(page, "13-video-result");
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download").click()]);
      expect(download.suggestedFilename()).toMatch(/\.mp4$/);
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
