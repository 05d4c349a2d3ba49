// The video flow: upload a clip with faces, follow the progress, compare before/after on one player, keep one of the
// tracked faces visible, apply, and check the downloaded MP4's pixels.
// Run it alone: `cd ClientApp && npm run test:e2e:video` (starts its own host; or FACEBLUR_E2E_URL=http://host:port).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { clipWithFaces } from "./fixtures";
import { compareInBrowser, openBrowser, screenshot, type FaceBox } from "./support";

const baseUrl = inject("baseUrl");

interface Track {
  id: string;
  hidden: boolean;
  frames: { t: number; x: number; y: number; w: number; h: number }[];
}

/** One frame of a video as PNG bytes, decoded by ffmpeg. */
function frameAt(video: string, seconds: number): Buffer {
  const out = path.join(mkdtempSync(path.join(tmpdir(), "faceblur-e2e-frame-")), "frame.png");
  execFileSync("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-ss",
    String(seconds),
    "-i",
    video,
    "-frames:v",
    "1",
    "-y",
    out,
  ]);
  return readFileSync(out);
}

function boxAt(track: Track, seconds: number): FaceBox {
  const frame = track.frames.reduce((a, b) => (Math.abs(b.t - seconds) < Math.abs(a.t - seconds) ? b : a));
  return { x1: frame.x, y1: frame.y, x2: frame.x + frame.w, y2: frame.y + frame.h };
}

describe("video", () => {
  it("compares before/after at the same moment, keeps one face visible, applies, and only the others are hidden", async () => {
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
      await page.getByTestId("result").waitFor({ timeout: 110_000 });

      // One player, two sources: switching keeps the position.
      const video = page.getByTestId("result-video");
      const ready = () =>
        page.waitForFunction(
          () =>
            ((document.querySelector("[data-testid=result-video]") as HTMLVideoElement | null)?.readyState ?? 0) >= 1,
          undefined,
          { timeout: 20_000 },
        );
      await ready();
      const duration = await video.evaluate((v) => (v as HTMLVideoElement).duration);
      expect(duration).toBeGreaterThan(2.5);
      expect(duration).toBeLessThan(3.5);
      await video.evaluate((v) => ((v as HTMLVideoElement).currentTime = 1.2));
      await page.getByTestId("show-before").click();
      await page.waitForFunction(() => {
        const v = document.querySelector("[data-testid=result-video]") as HTMLVideoElement | null;
        return v?.dataset.showing === "before" && v.readyState >= 1 && Math.abs(v.currentTime - 1.2) < 0.05;
      });
      await page.getByTestId("show-after").click();
      await screenshot(page, "13-video-result");

      // The faces tracked through the video, each with a picture cut from the original in the browser.
      await page.getByTestId("tab-faces").click();
      const tracks = page.getByTestId("video-track");
      expect(await tracks.count()).toBeGreaterThanOrEqual(2);
      await page.getByTestId("track-picture").first().waitFor({ timeout: 20_000 });
      expect(await page.getByTestId("track-picture").count()).toBe(await tracks.count());
      await page.getByRole("switch", { name: "Hide face 1" }).click();
      expect(await page.getByTestId("apply-bar").textContent()).toContain("1 change to the faces");
      await screenshot(page, "14-video-faces");

      await page.getByTestId("apply").click();
      await page.getByTestId("result").waitFor({ timeout: 110_000 });
      const taskId = new URL(page.url()).searchParams.get("task");
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download").click()]);
      expect(download.suggestedFilename()).toBe("party-blurred.mp4");
      const result = path.join(mkdtempSync(path.join(tmpdir(), "faceblur-e2e-result-")), "result.mp4");
      writeFileSync(result, readFileSync(await download.path()));

      const answer = (await (await fetch(`${baseUrl}/results/${taskId}/regions`)).json()) as {
        data: { tracks: Track[] };
      };
      const all = answer.data.tracks;
      const kept = all.filter((t) => !t.hidden);
      expect(kept).toHaveLength(1);
      const at = 1.5;
      const hidden = all
        .filter((t) => t.hidden && t.frames.some((f) => Math.abs(f.t - at) < 0.06))
        .map((t) => boxAt(t, at));
      expect(hidden.length).toBeGreaterThanOrEqual(1);
      const diff = await compareInBrowser(
        page,
        frameAt(clip, at),
        frameAt(result, at),
        [...hidden, boxAt(kept[0]!, at)],
        0.3,
      );
      for (const face of diff.faces.slice(0, -1)) expect(face).toBeGreaterThan(8);
      expect(diff.faces[diff.faces.length - 1]).toBeLessThan(4);
      expect(diff.outside).toBeLessThan(4);
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
