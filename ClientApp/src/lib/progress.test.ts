import { describe, expect, it } from "vitest";
import { blurredName, videoName, zipName } from "./names";
import { formatSpeed, formatTimeLeft, RateMeter } from "./rate";
import { jobToResume, loadJob, saveJob, taskFromAddress } from "./session";

describe("rate meter", () => {
  it("measures speed over the last seconds and tells the time left", () => {
    const meter = new RateMeter(4000);
    expect(meter.perSecond()).toBeNull();
    for (let t = 0; t <= 10_000; t += 1000) meter.add(t * 100, t); // 100 KB/s... then faster
    expect(meter.perSecond()).toBeCloseTo(100_000);
    expect(meter.secondsLeft(2_000_000)).toBeCloseTo(10);
    for (let t = 11_000; t <= 16_000; t += 1000) meter.add(1_000_000 + (t - 10_000) * 400, t);
    expect(meter.perSecond()).toBeCloseTo(400_000);
  });

  it("starts over when the amount goes back (a new upload)", () => {
    const meter = new RateMeter();
    meter.add(500, 0);
    meter.add(1000, 1000);
    meter.add(10, 1500);
    expect(meter.perSecond()).toBeNull();
  });

  it("says speed and time left in words", () => {
    expect(formatSpeed(4.2 * 1024 * 1024)).toBe("4.2 MB/s");
    expect(formatSpeed(820 * 1024)).toBe("820 KB/s");
    expect(formatTimeLeft(3)).toBe("a few seconds left");
    expect(formatTimeLeft(31)).toBe("about 30 s left");
    expect(formatTimeLeft(200)).toBe("about 3 min left");
    expect(formatTimeLeft(null)).toBe("");
  });
});

describe("download names", () => {
  it("names results after the originals", () => {
    expect(blurredName("beach.jpg", "blurred_beach.jpg")).toBe("beach-blurred.jpg");
    expect(blurredName("scan.tiff", "scan.png")).toBe("scan-blurred.png");
    expect(blurredName("my.holiday.photo.JPG", "x.jpg")).toBe("my.holiday.photo-blurred.jpg");
    expect(zipName(3)).toBe("3-photos-blurred.zip");
    expect(videoName("party.mov")).toBe("party-blurred.mp4");
  });
});

describe("job in the address and session storage", () => {
  const job = {
    taskId: "abc-123",
    kind: "image" as const,
    names: ["a.jpg"],
    options: { mode: "blur" as const, shape: "ellipse" as const, padding: 0.2, strength: 50 },
    downloaded: true,
  };

  it("reads a task id from the address, refusing what is not one", () => {
    expect(taskFromAddress("?task=abc-123")).toBe("abc-123");
    expect(taskFromAddress("?task=../etc")).toBeNull();
    expect(taskFromAddress("")).toBeNull();
  });

  it("keeps what the page knows of its job, and the address wins", () => {
    saveJob(job, sessionStorage);
    expect(loadJob(sessionStorage)).toEqual(job);
    expect(jobToResume("", sessionStorage)).toEqual(job);
    expect(jobToResume("?task=abc-123", sessionStorage)).toEqual(job);
    expect(jobToResume("?task=other", sessionStorage)).toEqual({ taskId: "other" });
    saveJob(null, sessionStorage);
    expect(jobToResume("", sessionStorage)).toBeNull();
    sessionStorage.setItem("faceblur.job", "{not json");
    expect(loadJob(sessionStorage)).toBeNull();
  });
});
