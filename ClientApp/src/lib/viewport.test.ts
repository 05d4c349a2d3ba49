import { describe, expect, it } from "vitest";
import { clampView, fitView, panBy, scaleLimits, toImage, visibleArea, zoomAt } from "./viewport";

const image = { width: 1000, height: 500 };
const frame = { width: 500, height: 500 };

describe("viewport", () => {
  it("fits the picture and centres it", () => {
    expect(fitView(image, frame)).toEqual({ scale: 0.5, tx: 0, ty: 125 });
  });

  it("zooms about the pointer: the picture point under it stays there", () => {
    const fit = fitView(image, frame);
    const zoomed = zoomAt(fit, 2, 250, 250, image, frame);
    expect(zoomed.scale).toBe(1);
    const before = toImage(fit, 250, 250);
    const after = toImage(zoomed, 250, 250);
    expect(after.x).toBeCloseTo(before.x);
    expect(after.y).toBeCloseTo(before.y);
  });

  it("never zooms out past fitting nor in past the limit", () => {
    const { min, max } = scaleLimits(image, frame);
    expect(zoomAt(fitView(image, frame), 0.1, 0, 0, image, frame).scale).toBe(min);
    expect(zoomAt(fitView(image, frame), 1000, 0, 0, image, frame).scale).toBe(max);
  });

  it("keeps the picture in the frame while panning", () => {
    const zoomed = zoomAt(fitView(image, frame), 4, 250, 250, image, frame);
    const far = panBy(zoomed, 10_000, 10_000, image, frame);
    expect(far.tx).toBe(0);
    expect(far.ty).toBe(0);
    const other = panBy(zoomed, -10_000, -10_000, image, frame);
    expect(other.tx).toBe(500 - 1000 * zoomed.scale);
    // A side smaller than the frame stays centred.
    expect(clampView({ scale: 0.5, tx: 99, ty: 0 }, image, frame).ty).toBe(125);
  });

  it("tells the part of the picture that is shown", () => {
    const zoomed = { scale: 1, tx: -100, ty: -50 };
    expect(visibleArea(zoomed, image, frame)).toEqual({ x: 100, y: 50, w: 500, h: 450 });
  });
});
