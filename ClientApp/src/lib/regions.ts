// The SPEC's regions schema: what a job hid (GET /results/{id}/regions) and what to hide or keep (the `regions` field).
// Boxes are in pixels of the output image or frame (upright), before padding.

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type RegionSource = "detector" | "given";

export interface PhotoRegion extends Box {
  id: string;
  /** The detector's confidence, 0..1; absent for regions a person gave. */
  score?: number;
  source: RegionSource;
  hidden: boolean;
}

export interface PhotoRegions {
  index: number;
  name?: string;
  width: number;
  height: number;
  regions: PhotoRegion[];
}

export interface ImageRegionsDoc {
  kind: "images";
  files: PhotoRegions[];
}

export interface TrackFrame extends Box {
  /** The frame's time in seconds, in the output's clock. */
  t: number;
}

export interface Track {
  id: string;
  score?: number;
  source: RegionSource;
  hidden: boolean;
  frames: TrackFrame[];
}

export interface VideoRegionsDoc {
  kind: "video";
  width: number;
  height: number;
  duration: number;
  tracks: Track[];
}

export type RegionsDoc = ImageRegionsDoc | VideoRegionsDoc;

/** Below this detector score a region is marked "unsure" for the person to check. */
export const unsureScore = 0.6;

export function isUnsure(region: { score?: number; source: RegionSource }): boolean {
  return region.source === "detector" && region.score !== undefined && region.score < unsureScore;
}

/** Reads an export defensively: anything that is not the schema becomes null (the page then offers no review). */
export function parseRegions(value: unknown): RegionsDoc | null {
  if (!value || typeof value !== "object") return null;
  const doc = value as Partial<Omit<ImageRegionsDoc, "kind">> &
    Partial<Omit<VideoRegionsDoc, "kind">> & { kind?: string };
  if (doc.kind === "images" && Array.isArray(doc.files)) {
    const files = doc.files.filter(
      (f): f is PhotoRegions =>
        !!f && Number.isInteger(f.index) && f.width > 0 && f.height > 0 && Array.isArray(f.regions),
    );
    // Numbered from left to right, whatever order the server listed them in, so numbers stay put across re-renders.
    const byPosition = (a: PhotoRegion, b: PhotoRegion) => a.x + a.w / 2 - (b.x + b.w / 2) || a.y - b.y;
    return { kind: "images", files: files.map((f) => ({ ...f, regions: f.regions.filter(isBox).sort(byPosition) })) };
  }
  if (doc.kind === "video" && Array.isArray(doc.tracks)) {
    return {
      kind: "video",
      width: Number(doc.width) || 0,
      height: Number(doc.height) || 0,
      duration: Number(doc.duration) || 0,
      tracks: doc.tracks.filter((t) => !!t && Array.isArray(t.frames) && t.frames.length > 0),
    };
  }
  return null;
}

function isBox(value: unknown): value is PhotoRegion {
  const r = value as Partial<PhotoRegion> | null;
  return !!r && [r.x, r.y, r.w, r.h].every((n) => typeof n === "number" && Number.isFinite(n));
}

/** Rounds a box to a tenth of a pixel: enough for a face box, and keeps the JSON small. */
export function roundBox<T extends Box>(box: T): T {
  const r = (n: number) => Math.round(n * 10) / 10;
  return { ...box, x: r(box.x), y: r(box.y), w: r(box.w), h: r(box.h) };
}

/** The `regions` field for re-rendering photos: every region (hidden or kept) of every photo, by index and name. */
export function photosImport(files: PhotoRegions[]): string {
  const doc: ImageRegionsDoc = {
    kind: "images",
    files: files.map((f) => ({
      index: f.index,
      name: f.name,
      width: f.width,
      height: f.height,
      regions: f.regions.map((r) => roundBox(r)),
    })),
  };
  return JSON.stringify(doc);
}

/** The `regions` field for re-rendering a video: the tracks as exported, with the person's keep/hide choices. */
export function videoImport(doc: VideoRegionsDoc, hidden: Record<string, boolean>): string {
  return JSON.stringify({
    ...doc,
    tracks: doc.tracks.map((t) => ({ ...t, hidden: hidden[t.id] ?? t.hidden })),
  } satisfies VideoRegionsDoc);
}

/** The frame where a track's face is largest: the clearest picture of it. */
export function bestFrame(track: Track): TrackFrame | null {
  let best: TrackFrame | null = null;
  for (const frame of track.frames) if (!best || frame.w * frame.h > best.w * best.h) best = frame;
  return best;
}

/** A track's time span in seconds: its first and last frame. */
export function trackSpan(track: Track): { start: number; end: number } {
  let start = Infinity;
  let end = -Infinity;
  for (const frame of track.frames) {
    start = Math.min(start, frame.t);
    end = Math.max(end, frame.t);
  }
  return Number.isFinite(start) ? { start, end } : { start: 0, end: 0 };
}
