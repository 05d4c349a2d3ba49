// The photo review as data: the regions of every photo, edited by toggling, drawing, moving, resizing and deleting,
// with undo and redo. Pure, so the editor's rules are tested without a browser.

import type { Box, PhotoRegion, PhotoRegions } from "./regions";

export interface ReviewState {
  /** What the last result was made with (to count changes against). */
  base: PhotoRegions[];
  present: PhotoRegions[];
  past: PhotoRegions[][];
  future: PhotoRegions[][];
  /** Consecutive edits with the same key (arrow presses on one box) are one step of undo. */
  lastKey: string | null;
}

export type ReviewAction =
  | { type: "reset"; files: PhotoRegions[] }
  | { type: "toggle"; file: number; id: string }
  | { type: "add"; file: number; id: string; box: Box }
  | { type: "update"; file: number; id: string; box: Box; coalesce?: string }
  | { type: "remove"; file: number; id: string }
  | { type: "undo" }
  | { type: "redo" };

/** The smallest box a person can draw, in image pixels. */
export const minBoxSize = 4;
const maxHistory = 200;

export function initialReview(files: PhotoRegions[]): ReviewState {
  return { base: files, present: files, past: [], future: [], lastKey: null };
}

export function reviewReducer(state: ReviewState, action: ReviewAction): ReviewState {
  switch (action.type) {
    case "reset":
      return initialReview(action.files);
    case "undo": {
      const previous = state.past[state.past.length - 1];
      if (!previous) return state;
      return {
        ...state,
        present: previous,
        past: state.past.slice(0, -1),
        future: [state.present, ...state.future],
        lastKey: null,
      };
    }
    case "redo": {
      const [next, ...rest] = state.future;
      if (!next) return state;
      return { ...state, present: next, past: [...state.past, state.present], future: rest, lastKey: null };
    }
    default: {
      const present = edit(state.present, action);
      if (present === state.present) return state;
      const key = action.type === "update" ? (action.coalesce ?? null) : null;
      if (key !== null && key === state.lastKey) return { ...state, present, future: [] };
      return {
        ...state,
        present,
        past: [...state.past, state.present].slice(-maxHistory),
        future: [],
        lastKey: key,
      };
    }
  }
}

type EditAction = Extract<ReviewAction, { file: number }>;

function edit(files: PhotoRegions[], action: EditAction): PhotoRegions[] {
  const target = files.find((f) => f.index === action.file);
  if (!target) return files;
  const regions = editRegions(target, action);
  if (regions === target.regions) return files;
  return files.map((f) => (f === target ? { ...f, regions } : f));
}

function editRegions(file: PhotoRegions, action: EditAction): PhotoRegion[] {
  const { regions } = file;
  switch (action.type) {
    case "toggle":
      return regions.map((r) => (r.id === action.id ? { ...r, hidden: !r.hidden } : r));
    case "add": {
      if (regions.some((r) => r.id === action.id)) return regions;
      const box = clampBox(action.box, file.width, file.height);
      return [...regions, { id: action.id, ...box, source: "given", hidden: true }];
    }
    case "update": {
      const box = clampBox(action.box, file.width, file.height);
      const current = regions.find((r) => r.id === action.id);
      if (!current || sameBox(current, box)) return regions;
      return regions.map((r) => (r.id === action.id ? { ...r, ...box } : r));
    }
    case "remove":
      return regions.some((r) => r.id === action.id) ? regions.filter((r) => r.id !== action.id) : regions;
  }
}

/** Keeps a box inside the picture and at least `minBoxSize` wide and high. */
export function clampBox(box: Box, width: number, height: number): Box {
  const w = Math.min(width, Math.max(minBoxSize, box.w));
  const h = Math.min(height, Math.max(minBoxSize, box.h));
  return { x: Math.min(width - w, Math.max(0, box.x)), y: Math.min(height - h, Math.max(0, box.y)), w, h };
}

function sameBox(a: Box, b: Box): boolean {
  return a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h;
}

/** An id for a region the person draws: "m1", "m2"... not used by any region of the photo. */
export function nextDrawnId(file: PhotoRegions): string {
  const used = new Set(file.regions.map((r) => r.id));
  let n = 1;
  while (used.has(`m${n}`)) n++;
  return `m${n}`;
}

/** A box from two corners, in any order. */
export function boxFromCorners(a: { x: number; y: number }, b: { x: number; y: number }): Box {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) };
}

export type Handle = "nw" | "ne" | "sw" | "se";

/** The box after dragging one corner by (dx, dy) image pixels; the opposite corner stays put. */
export function resizeBox(box: Box, handle: Handle, dx: number, dy: number): Box {
  const left = handle === "nw" || handle === "sw" ? box.x + dx : box.x;
  const right = handle === "ne" || handle === "se" ? box.x + box.w + dx : box.x + box.w;
  const top = handle === "nw" || handle === "ne" ? box.y + dy : box.y;
  const bottom = handle === "sw" || handle === "se" ? box.y + box.h + dy : box.y + box.h;
  return boxFromCorners({ x: left, y: top }, { x: right, y: bottom });
}

/** How many regions differ from what the last result was made with (toggled, drawn, moved or deleted). */
export function countChanges(state: ReviewState): number {
  let changes = 0;
  for (const file of state.present) {
    const before = state.base.find((f) => f.index === file.index)?.regions ?? [];
    const ids = new Set(file.regions.map((r) => r.id));
    changes += before.filter((r) => !ids.has(r.id)).length;
    for (const region of file.regions) {
      const old = before.find((r) => r.id === region.id);
      if (!old || old.hidden !== region.hidden || !sameBox(old, region)) changes++;
    }
  }
  return changes;
}
