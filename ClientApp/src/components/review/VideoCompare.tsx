import { useRef, useState } from "react";
import { ToggleGroup, ToggleGroupItem } from "@/components/ui/toggle-group";

interface Props {
  result: string;
  /** The person's original (null when the page no longer has it). */
  original: string | null;
}

/**
 * Before/after for a video: one player, and a switch between the result and the original that keeps the position
 * (and keeps playing if it was), so the same moment can be compared.
 */
export function VideoCompare({ result, original }: Props) {
  const [showing, setShowing] = useState<"after" | "before">("after");
  const video = useRef<HTMLVideoElement>(null);
  const resume = useRef<{ time: number; playing: boolean } | null>(null);

  const show = (next: "after" | "before") => {
    const v = video.current;
    if (v) resume.current = { time: v.currentTime, playing: !v.paused };
    setShowing(next);
  };

  return (
    <div className="flex flex-col gap-3">
      {original && (
        <ToggleGroup
          type="single"
          value={showing}
          onValueChange={(v) => v && show(v as "after" | "before")}
          aria-label="Show"
          className="w-full sm:w-auto"
        >
          <ToggleGroupItem value="after" data-testid="show-after">
            Faces hidden
          </ToggleGroupItem>
          <ToggleGroupItem value="before" data-testid="show-before">
            Original
          </ToggleGroupItem>
        </ToggleGroup>
      )}
      <video
        ref={video}
        src={showing === "after" || !original ? result : original}
        controls
        playsInline
        className="max-h-[70vh] w-full rounded-lg bg-black"
        data-testid="result-video"
        data-showing={showing}
        aria-label={showing === "after" ? "The video with faces hidden" : "The original video"}
        onLoadedMetadata={(e) => {
          const wanted = resume.current;
          resume.current = null;
          if (!wanted) return;
          e.currentTarget.currentTime = wanted.time;
          if (wanted.playing) void e.currentTarget.play().catch(() => undefined);
        }}
      />
    </div>
  );
}
