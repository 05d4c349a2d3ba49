import { describe, expect, it } from "vitest";
import type { PhotoRegions } from "./regions";
import {
  clampBox,
  countChanges,
  initialReview,
  nextDrawnId,
  resizeBox,
  reviewReducer,
  type ReviewAction,
  type ReviewState,
} from "./review";

const photo: PhotoRegions = {
  index: 0,
  name: "a.jpg",
  width: 200,
  height: 100,
  regions: [
    { id: "r1", x: 10, y: 10, w: 20, h: 20, score: 0.93, source: "detector", hidden: true },
    { id: "r2", x: 100, y: 40, w: 30, h: 30, score: 0.45, source: "detector", hidden: true },
  ],
};

function run(...actions: ReviewAction[]): ReviewState {
  return actions.reduce(reviewReducer, initialReview([photo]));
}

const regions = (state: ReviewState) => state.present[0]!.regions;

describe("review", () => {
  it("toggles a found face between hidden and kept, and counts it as one change", () => {
    const state = run({ type: "toggle", file: 0, id: "r2" });
    expect(regions(state).map((r) => r.hidden)).toEqual([true, false]);
    expect(countChanges(state)).toBe(1);
    expect(countChanges(run({ type: "toggle", file: 0, id: "r2" }, { type: "toggle", file: 0, id: "r2" }))).toBe(0);
  });

  it("adds a drawn box as a given, hidden region kept inside the photo", () => {
    const id = nextDrawnId(photo);
    const state = run({ type: "add", file: 0, id, box: { x: 190, y: -5, w: 30, h: 2 } });
    expect(id).toBe("m1");
    expect(regions(state)[2]).toEqual({ id: "m1", x: 170, y: 0, w: 30, h: 4, source: "given", hidden: true });
    expect(nextDrawnId(state.present[0]!)).toBe("m2");
  });

  it("moves, resizes and deletes a box; undo and redo walk the history", () => {
    const state = run(
      { type: "add", file: 0, id: "m1", box: { x: 50, y: 50, w: 10, h: 10 } },
      { type: "update", file: 0, id: "m1", box: { x: 60, y: 50, w: 10, h: 10 } },
      { type: "remove", file: 0, id: "m1" },
    );
    expect(regions(state)).toHaveLength(2);
    const undone = reviewReducer(state, { type: "undo" });
    expect(regions(undone)[2]).toMatchObject({ x: 60, y: 50 });
    const twice = reviewReducer(undone, { type: "undo" });
    expect(regions(twice)[2]).toMatchObject({ x: 50, y: 50 });
    const redone = reviewReducer(twice, { type: "redo" });
    expect(regions(redone)[2]).toMatchObject({ x: 60 });
    // A new edit after undo drops what could have been redone.
    const edited = reviewReducer(twice, { type: "toggle", file: 0, id: "r1" });
    expect(edited.future).toEqual([]);
    expect(reviewReducer(edited, { type: "redo" })).toBe(edited);
  });

  it("makes consecutive arrow presses on one box a single step of undo", () => {
    let state = run({ type: "add", file: 0, id: "m1", box: { x: 50, y: 50, w: 10, h: 10 } });
    for (let i = 1; i <= 5; i++) {
      state = reviewReducer(state, {
        type: "update",
        file: 0,
        id: "m1",
        box: { x: 50 + i, y: 50, w: 10, h: 10 },
        coalesce: "key:m1",
      });
    }
    expect(regions(state)[2]).toMatchObject({ x: 55 });
    expect(regions(reviewReducer(state, { type: "undo" }))[2]).toMatchObject({ x: 50 });
  });

  it("ignores edits that change nothing (no empty undo steps)", () => {
    const state = run({ type: "update", file: 0, id: "r1", box: { x: 10, y: 10, w: 20, h: 20 } });
    expect(state.past).toEqual([]);
    expect(run({ type: "toggle", file: 3, id: "r1" }).past).toEqual([]);
  });

  it("resizes from any corner with the opposite corner fixed, and keeps a box inside the picture", () => {
    const box = { x: 10, y: 10, w: 20, h: 20 };
    expect(resizeBox(box, "se", 5, 5)).toEqual({ x: 10, y: 10, w: 25, h: 25 });
    expect(resizeBox(box, "nw", 5, -5)).toEqual({ x: 15, y: 5, w: 15, h: 25 });
    expect(resizeBox(box, "ne", -30, 0)).toEqual({ x: 0, y: 10, w: 10, h: 20 });
    expect(clampBox({ x: -10, y: 90, w: 500, h: 50 }, 200, 100)).toEqual({ x: 0, y: 50, w: 200, h: 50 });
  });
});
