import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { openBrowser, screenshot, type Browser } from "./support";

const baseUrl = inject("baseUrl");

describe("refusals", () => {
  let browser: Browser;
  let dir: string;
  beforeEach(async () => {
    browser = await openBrowser();
    dir = mkdtempSync(path.join(tmpdir(), "faceblur-e2e-files-"));
  });
  afterEach(async () => {
    await browser.close();
  });

  it("refuses an unsupported file type in the browser, with a message", async () => {
    const { page } = browser;
    const notes = path.join(dir, "notes.txt");
    writeFileSync(notes, "not a photo");
    await page.goto(baseUrl);
    await page.getByTestId("file-input").setInputFiles(notes);
    const message = page.getByTestId("selection-problems");
    await message.waitFor();
    expect(await message.textContent()).toContain("“notes.txt” is not a supported type");
    expect(await page.getByTestId("submit").isDisabled()).toBe(true);
    await screenshot(page, "07-unsupported-type");
  });

  it("shows the server's refusal of a file that only looks like a photo, in words", async () => {
    const { page } = browser;
    const fake = path.join(dir, "holiday.jpg");
    writeFileSync(fake, "this is text pretending to be a JPEG");
    await page.goto(baseUrl);
    await page.getByTestId("file-input").setInputFiles(fake);
    await page.getByTestId("submit").click();
    const error = page.getByTestId("error");
    await error.waitFor();
    expect(await error.textContent()).toContain("Unsupported file");
    expect(await error.textContent()).toContain("FaceBlur could not read this file");
    await screenshot(page, "08-unsupported-by-server");
  });
});
