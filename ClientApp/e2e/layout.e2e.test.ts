import { describe, expect, inject, it } from "vitest";
import { openBrowser, screenshot } from "./support";

const baseUrl = inject("baseUrl");

describe("layout", () => {
  it("fits a phone's width without sideways scrolling, and is usable there", async () => {
    const browser = await openBrowser({ width: 390, height: 844 });
    try {
      const { page } = browser;
      await page.goto(baseUrl);
      await page.getByTestId("drop-zone").waitFor();
      await page.getByTestId("status-badge").waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      const drop = await page.getByTestId("drop-zone").boundingBox();
      expect(drop?.width).toBeGreaterThan(300);
      // Keyboard: the skip link, then the header, then the drop zone in reading order.
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
      await screenshot(page, "09-phone");
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it("follows a dark system theme and can be switched", async () => {
    const browser = await openBrowser({ colorScheme: "dark" });
    try {
      const { page } = browser;
      await page.goto(baseUrl);
      await page.getByTestId("drop-zone").waitFor();
      expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(true);
      await screenshot(page, "10-dark");
      await page.getByRole("button", { name: /^Theme:/ }).click();
      expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(false);
    } finally {
      await browser.close();
    }
  });
});
