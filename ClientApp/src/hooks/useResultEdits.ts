import { useReducer, useState, type KeyboardEvent } from "react";
import type { AnonymizeOptions } from "@/lib/api";
import { photosImport, videoImport, type RegionsDoc } from "@/lib/regions";
import { countChanges, initialReview, reviewReducer } from "@/lib/review";

function sameOptions(a: AnonymizeOptions, b: AnonymizeOptions | null): boolean {
  return !!b && a.mode === b.mode && a.shape === b.shape && a.padding === b.padding && a.strength === b.strength;
}

/**
 * What the person changed on the result screen and has not applied: the photos' regions (with undo/redo), the video's
 * keep/hide choices, and the options. `request` is what Apply sends: the edited regions with detect=false (the same
 * faces, whatever changed), or nothing more when the server kept no regions.
 */
export function useResultEdits(
  regions: RegionsDoc | null,
  madeWith: AnonymizeOptions | null,
  options: AnonymizeOptions,
  onOptions: (patch: Partial<AnonymizeOptions>) => void,
) {
  const photos = regions?.kind === "images" ? regions.files : [];
  const [review, dispatch] = useReducer(reviewReducer, photos, initialReview);
  const [trackHidden, setTrackHidden] = useState<Record<string, boolean>>({});

  const faceChanges =
    regions?.kind === "video"
      ? regions.tracks.filter((t) => (trackHidden[t.id] ?? t.hidden) !== t.hidden).length
      : countChanges(review);
  const pending = [
    faceChanges > 0 && `${faceChanges} change${faceChanges === 1 ? "" : "s"} to the faces`,
    !sameOptions(options, madeWith) && "new settings",
  ]
    .filter(Boolean)
    .join(" and ");

  const request = () =>
    regions?.kind === "images"
      ? { regions: photosImport(review.present), detect: false }
      : regions?.kind === "video"
        ? { regions: videoImport(regions, trackHidden), detect: false }
        : {};

  const discard = () => {
    dispatch({ type: "reset", files: photos });
    setTrackHidden({});
    if (madeWith) onOptions(madeWith);
  };

  const toggleTrack = (id: string) => {
    if (regions?.kind !== "video") return;
    const original = regions.tracks.find((t) => t.id === id)?.hidden ?? true;
    setTrackHidden((h) => ({ ...h, [id]: !(h[id] ?? original) }));
  };

  /** Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo (Cmd on a Mac). */
  const undoKeys = (e: KeyboardEvent) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
    const key = e.key.toLowerCase();
    if (key !== "z" && key !== "y") return;
    e.preventDefault();
    dispatch({ type: key === "y" || e.shiftKey ? "redo" : "undo" });
  };

  return { review, dispatch, trackHidden, toggleTrack, pending, request, discard, undoKeys };
}
