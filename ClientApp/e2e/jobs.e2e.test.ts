// Jobs that survive a reload, a result the server deleted, Cancel that stops the server, real upload progress.
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { clipWithFaces, largePhoto, photo } from "./fixtures";
import { browserPerTest, checkState } from "./support";

const baseUrl = inject("baseUrl");

async function queue(): Promise<{ queued: number; processing: number }> {
  const answer = (await (await fetch(`${baseUrl}/queue`)).json()) as { data: { queued: number; processing: number } };
  return answer.data;
}

/** Accepts every dialog the page opens (the "leave the page?" question) and lists their types. */
function acceptDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.type());
    void dialog.accept();
  });
  return dialogs;
}

describe("jobs", () => {
  const browser = browserPerTest();

  it("resumes a job after a reload (asking first) and finishes it", async () => {
    const { page } = browser.current;
    const dialogs = acceptDialogs(page);
    await page.goto(baseUrl);
    await page.getByTestId("file-input").setInputFiles(clipWithFaces(5));
    await page.getByTestId("submit").click();
    await page.waitForURL(/\?task=/);
    const taskId = new URL(page.url()).searchParams.get("task");
    await page.reload();
    expect(dialogs).toContain("beforeunload");
    expect(new URL(page.url()).searchParams.get("task")).toBe(taskId);
    await page.getByTestId("result").waitFor({ timeout: 110_000 });
    expect(await page.getByTestId("result-summary").textContent()).toMatch(/hidden in the video/);
    // The files were kept in the browser: the before/after has the original.
    await page.getByTestId("tab-compare").click();
    await page.getByTestId("show-before").waitFor();
  });

  it("says plainly that the server deleted a result this page had downloaded, and can make it again", async () => {
    const { page } = browser.current;
    const dialogs = acceptDialogs(page);
    await page.goto(baseUrl);
    await page.getByTestId("file-input").setInputFiles(photo("2008_001322.jpg"));
    await page.getByTestId("submit").click();
    await page.getByTestId("result").waitFor({ timeout: 60_000 });
    // The result was not saved yet: leaving asks first.
    await page.reload();
    expect(dialogs).toEqual(["beforeunload"]);
    const gone = page.getByTestId("result-gone");
    await gone.waitFor();
    expect(await gone.textContent()).toContain("This page downloaded it before it was reloaded");
    // The originals came back from the browser's storage, so the same result can be made again.
    await page.getByRole("list", { name: "Chosen files" }).getByText("2008_001322.jpg").waitFor();
    await checkState(page, "30-gone");
    await page.getByTestId("remake").click();
    await page.getByTestId("result").waitFor({ timeout: 60_000 });
    expect(await page.getByTestId("result-summary").textContent()).toBe("3 faces hidden in the photo.");
  });

  it("cancels a running job on the server: the queue is empty afterwards and the files stay chosen", async () => {
    const { page } = browser.current;
    await page.goto(baseUrl);
    await page.getByTestId("file-input").setInputFiles(clipWithFaces(6));
    await page.getByTestId("submit").click();
    await page.waitForURL(/\?task=/);
    const taskId = new URL(page.url()).searchParams.get("task");
    await page.getByTestId("cancel").click();
    await page.getByTestId("drop-zone").waitFor();
    expect(page.url()).not.toContain("task=");
    await page.getByRole("list", { name: "Chosen files" }).getByText("party.mp4").waitFor();
    await expect.poll(queue, { timeout: 5000 }).toEqual(expect.objectContaining({ queued: 0, processing: 0 }));
    expect((await fetch(`${baseUrl}/results/${taskId}`)).status).toBe(404);
  });

  it("shows the upload's bytes, speed and time left on a slow connection", async () => {
    const { page } = browser.current;
    const { file, bytes } = largePhoto();
    await page.goto(baseUrl);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    // About 6 s for the upload.
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: Math.round(bytes / 6),
    });
    await page.getByTestId("file-input").setInputFiles(file);
    await page.getByTestId("submit").click();
    const seen: number[] = [];
    let detail = "";
    // Until a few values went by and the speed is known (it needs half a second of samples).
    for (let i = 0; i < 80 && (seen.length < 3 || !detail.includes("/s")); i++) {
      const stage = await page.getByTestId("job-stage").textContent();
      if (stage === "Uploading") {
        const value = Number(await page.getByTestId("job-progress-bar").getAttribute("aria-valuenow"));
        if (value > 0 && value < 100 && value !== seen[seen.length - 1]) seen.push(value);
        detail = (await page.getByTestId("job-detail").textContent()) ?? "";
      }
      await page.waitForTimeout(150);
    }
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(detail).toMatch(/^[\d.]+ [KM]B of [\d.]+ [KM]B · [\d.]+ [KM]B\/s · (about \d+ s left|a few seconds left)$/);
    await checkState(page, "31-uploading");

    // The result's download is its own stage, with its bytes.
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 20,
      downloadThroughput: Math.round(bytes / 8),
      uploadThroughput: -1,
    });
    await page.getByTestId("job-stage").filter({ hasText: "Downloading the result" }).waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.getByTestId("job-detail").textContent(), { timeout: 10_000 })
      .toMatch(/^[1-9][\d.]* [KM]B of [\d.]+ [KM]B$/);
    await checkState(page, "32-downloading");
    await page.getByTestId("result").waitFor({ timeout: 30_000 });
  });
});
