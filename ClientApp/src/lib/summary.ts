import { isUnsure, type RegionsDoc } from "./regions";
import type { Prepared } from "./results";

function faces(n: number): string {
  return `${n} face${n === 1 ? "" : "s"}`;
}

export interface Summary {
  title: string;
  /** No face found: a warning inviting the person to mark faces, never a success. */
  warning: boolean;
  unsure: number;
}

/** What the result says in one line (also announced to screen readers). */
export function summarize(result: Prepared, regions: RegionsDoc | null): Summary {
  const count = result.kind === "images" ? result.items.length : 1;
  const what = result.kind === "video" ? "the video" : count === 1 ? "the photo" : `${count} photos`;
  const unsure =
    regions?.kind === "images"
      ? regions.files.reduce((n, f) => n + f.regions.filter((r) => r.hidden && isUnsure(r)).length, 0)
      : regions?.kind === "video"
        ? regions.tracks.filter((t) => t.hidden && isUnsure(t)).length
        : 0;
  if (result.totalFaces === null) return { title: `Done: ${what} processed.`, warning: false, unsure };
  if (result.totalFaces === 0) return { title: `No faces found in ${what}.`, warning: true, unsure };
  return { title: `${faces(result.totalFaces)} hidden in ${what}.`, warning: false, unsure };
}
