import { useEffect, useState } from "react";
import { UserRound } from "lucide-react";
import { cutTrackPictures } from "@/lib/frames";
import { isUnsure, trackSpan, type VideoRegionsDoc } from "@/lib/regions";
import { Switch } from "@/components/ui/switch";

interface Props {
  doc: VideoRegionsDoc;
  /** The person's original video, to cut each face's picture from (null: no pictures). */
  original: File | null;
  hidden: Record<string, boolean>;
  onToggle: (trackId: string) => void;
}

function clock(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, "0")}`;
}

/** The faces tracked through the video: a picture of each, when it is on screen, and whether to hide it. */
export function VideoReview({ doc, original, hidden, onToggle }: Props) {
  const [pictures, setPictures] = useState<Record<string, string>>({});

  useEffect(() => {
    if (!original || doc.tracks.length === 0) return;
    const controller = new AbortController();
    let cut: Record<string, string> = {};
    cutTrackPictures(original, doc.tracks, doc, controller.signal).then(
      (made) => {
        if (controller.signal.aborted) return Object.values(made).forEach((url) => URL.revokeObjectURL(url));
        cut = made;
        setPictures(made);
      },
      () => undefined,
    );
    return () => {
      controller.abort();
      Object.values(cut).forEach((url) => URL.revokeObjectURL(url));
    };
  }, [original, doc]);

  if (doc.tracks.length === 0) {
    return <p className="text-sm text-muted-foreground">No faces were tracked in this video.</p>;
  }
  return (
    <ul className="grid gap-2 sm:grid-cols-2" aria-label="Faces in the video" data-testid="video-tracks">
      {doc.tracks.map((track, i) => {
        const span = trackSpan(track);
        const id = `track-${track.id}`;
        const isHidden = hidden[track.id] ?? track.hidden;
        return (
          <li
            key={track.id}
            className="flex items-center gap-3 rounded-lg border bg-card p-2"
            data-testid="video-track"
          >
            <span className="grid size-16 shrink-0 place-items-center overflow-hidden rounded-md bg-muted text-muted-foreground">
              {pictures[track.id] ? (
                <img
                  src={pictures[track.id]}
                  alt={`Face ${i + 1}`}
                  className="size-full object-cover"
                  data-testid="track-picture"
                />
              ) : (
                <UserRound className="size-7" aria-hidden />
              )}
            </span>
            <span className="flex min-w-0 flex-1 flex-col text-sm">
              <span className="font-medium">Face {i + 1}</span>
              <span className="text-muted-foreground tabular-nums">
                {clock(span.start)}–{clock(span.end)}
                {isUnsure(track) && " · unsure"}
              </span>
            </span>
            <span className="flex items-center gap-2">
              <label htmlFor={id} className="text-sm">
                Hide face {i + 1}
              </label>
              <Switch id={id} checked={isHidden} onCheckedChange={() => onToggle(track.id)} />
            </span>
          </li>
        );
      })}
    </ul>
  );
}
