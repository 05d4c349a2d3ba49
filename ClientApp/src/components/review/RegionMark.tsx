import type { KeyboardEvent, MouseEvent } from "react";
import { Eye, PenLine } from "lucide-react";
import { isUnsure, type Box, type PhotoRegion } from "@/lib/regions";
import type { Handle } from "@/lib/review";
import type { View } from "@/lib/viewport";
import { cn } from "@/lib/utils";

/** The smallest target a finger or pointer gets, in CSS pixels (WCAG 2.2 target size). */
const minTarget = 24;
const handles: Handle[] = ["nw", "ne", "sw", "se"];

function describeRegion(region: PhotoRegion): string {
  if (region.source === "given") return region.hidden ? "marked by you, hidden" : "marked by you, kept visible";
  const sure = region.score === undefined ? "" : `, ${Math.round(region.score * 100)}% sure`;
  return `${isUnsure(region) ? "unsure, please check" : "found by the detector"}${sure}${region.hidden ? "" : ", kept visible"}`;
}

interface Props {
  region: PhotoRegion;
  /** The box to show (differs from the region's while it is dragged). */
  box: Box;
  number: number;
  view: View;
  selected: boolean;
  hintId: string;
  onClick: (e: MouseEvent<HTMLButtonElement>) => void;
  onKeyDown: (e: KeyboardEvent<HTMLButtonElement>) => void;
  onFocus: () => void;
}

/**
 * One region over the photo: a button (at least 24 px, centred on the box) with the box drawn inside it and its number
 * above. A found face is a switch (on = hidden); a box the person drew is a plain button that selects it, with corner
 * handles to resize it while selected.
 */
export function RegionMark({ region, box, number, view, selected, hintId, onClick, onKeyDown, onFocus }: Props) {
  const drawn = region.source === "given";
  const unsure = isUnsure(region);
  const left = view.tx + box.x * view.scale;
  const top = view.ty + box.y * view.scale;
  const width = box.w * view.scale;
  const height = box.h * view.scale;
  const targetW = Math.max(minTarget, width);
  const targetH = Math.max(minTarget, height);
  const tone = !region.hidden ? "kept" : drawn ? "drawn" : unsure ? "unsure" : "hidden";
  const label = drawn ? `Your box ${number}` : `Hide face ${number}`;

  return (
    <button
      type="button"
      data-region-id={region.id}
      data-testid={`region-${number}`}
      data-hidden={region.hidden}
      data-box={[box.x, box.y, box.w, box.h].map(Math.round).join(",")}
      role={drawn ? undefined : "switch"}
      aria-checked={drawn ? undefined : region.hidden}
      aria-pressed={drawn ? selected : undefined}
      aria-label={label}
      aria-describedby={`${hintId}-${region.id} ${hintId}`}
      onClick={onClick}
      onKeyDown={onKeyDown}
      onFocus={onFocus}
      className="group absolute cursor-pointer rounded-sm outline-none"
      style={{
        left: left - (targetW - width) / 2,
        top: top - (targetH - height) / 2,
        width: targetW,
        height: targetH,
      }}
    >
      <span id={`${hintId}-${region.id}`} className="sr-only">
        {describeRegion(region)}
      </span>
      <span
        className={cn(
          "pointer-events-none absolute rounded-[3px] border-2 shadow-[0_0_0_1px_rgba(0,0,0,.55)] group-focus-visible:outline-3 group-focus-visible:outline-offset-2 group-focus-visible:outline-white",
          tone === "hidden" && "border-rose-500 bg-rose-500/15",
          tone === "unsure" && "border-amber-400 bg-amber-400/20",
          tone === "kept" && "border-dashed border-emerald-400",
          tone === "drawn" && "border-sky-400 bg-sky-400/20",
          selected && "outline-2 outline-offset-1 outline-white",
        )}
        style={{ left: (targetW - width) / 2, top: (targetH - height) / 2, width, height }}
      >
        <span
          className={cn(
            "absolute -top-0.5 left-1/2 flex -translate-x-1/2 -translate-y-full items-center gap-0.5 rounded px-1 text-[11px] leading-4 font-bold whitespace-nowrap shadow",
            tone === "hidden" && "bg-rose-700 text-white",
            tone === "unsure" && "bg-amber-300 text-black",
            tone === "kept" && "bg-emerald-800 text-white",
            tone === "drawn" && "bg-sky-800 text-white",
          )}
          aria-hidden
        >
          {tone === "kept" && <Eye className="size-3" />}
          {tone === "drawn" && <PenLine className="size-3" />}
          {number}
          {unsure && "?"}
        </span>
        {drawn &&
          selected &&
          handles.map((h) => (
            <span
              key={h}
              data-handle={h}
              className={cn(
                "pointer-events-auto absolute size-6 touch-none",
                h === "nw" && "-top-3 -left-3 cursor-nwse-resize",
                h === "ne" && "-top-3 -right-3 cursor-nesw-resize",
                h === "sw" && "-bottom-3 -left-3 cursor-nesw-resize",
                h === "se" && "-right-3 -bottom-3 cursor-nwse-resize",
              )}
            >
              <span className="absolute inset-1.5 rounded-sm border-2 border-sky-800 bg-white" />
            </span>
          ))}
      </span>
    </button>
  );
}
