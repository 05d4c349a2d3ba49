import { useEffect, useId, type RefObject } from "react";
import { useRegionGestures, type Tool } from "@/hooks/useRegionGestures";
import type { Viewport } from "@/hooks/useViewport";
import type { Box, PhotoRegions } from "@/lib/regions";
import type { ReviewAction } from "@/lib/review";
import { cn } from "@/lib/utils";
import { onFrameKey, onRegionKey } from "./regionKeys";
import { RegionMark } from "./RegionMark";

export type { Tool };

interface Props {
  file: PhotoRegions;
  src: string;
  name: string;
  frame: RefObject<HTMLDivElement | null>;
  viewport: Viewport;
  tool: Tool;
  selected: string | null;
  onSelect: (id: string | null) => void;
  dispatch: (action: ReviewAction) => void;
  /** Asks for focus on a region's button (after a box was added from the keyboard); a new object each time. */
  focusRequest: { id: string } | null;
}

/**
 * The photo with its regions over it, zoomed and panned in a frame. Mouse, touch and pen: click or tap a found face to
 * hide or keep it; drag on the photo to draw a box (or to pan, with the pan tool, the middle button or two fingers);
 * drag a drawn box to move it, its corners to resize it; wheel or pinch to zoom. Keyboard: see the hint below it.
 */
export function RegionCanvas({
  file,
  src,
  name,
  frame,
  viewport,
  tool,
  selected,
  onSelect,
  dispatch,
  focusRequest,
}: Props) {
  const { view } = viewport;
  const hint = useId();
  const context = { file, frame, viewport, onSelect, dispatch };
  const { live, draft, consumeClick, handlers } = useRegionGestures({ ...context, tool });
  const numbers = new Map(file.regions.map((r, i) => [r.id, i + 1]));

  useEffect(() => {
    if (!focusRequest) return;
    frame.current?.querySelector<HTMLElement>(`[data-region-id="${CSS.escape(focusRequest.id)}"]`)?.focus();
  }, [focusRequest, frame]);

  /** Brings a region focused from the keyboard into view. */
  const reveal = (box: Box) => {
    const { width, height } = viewport.size;
    const left = view.tx + box.x * view.scale;
    const top = view.ty + box.y * view.scale;
    const right = left + box.w * view.scale;
    const bottom = top + box.h * view.scale;
    if (left >= 0 && top >= 0 && right <= width && bottom <= height) return;
    const cx = box.x + box.w / 2;
    const cy = box.y + box.h / 2;
    viewport.set({ scale: view.scale, tx: width / 2 - cx * view.scale, ty: height / 2 - cy * view.scale });
  };

  return (
    <div
      ref={frame}
      tabIndex={0}
      role="group"
      aria-label={`${name}: the photo with the regions found, zoom ${Math.round(view.scale * 100)}%`}
      aria-describedby={`${hint}-frame`}
      data-testid="review-frame"
      className={cn(
        "relative min-h-52 w-full touch-none overflow-hidden rounded-lg bg-neutral-900 outline-none select-none focus-visible:ring-[3px] focus-visible:ring-ring/60",
        tool === "draw" ? "cursor-crosshair" : "cursor-grab",
      )}
      style={{ aspectRatio: `${file.width} / ${file.height}`, maxHeight: "min(70vh, 640px)" }}
      {...handlers}
      onKeyDown={(e) => onFrameKey(e, context)}
    >
      <img
        src={src}
        alt=""
        draggable={false}
        className="pointer-events-none absolute top-0 left-0 max-w-none origin-top-left"
        style={{
          width: file.width,
          height: file.height,
          transform: `translate(${view.tx}px, ${view.ty}px) scale(${view.scale})`,
        }}
      />
      {file.regions.map((region) => (
        <RegionMark
          key={region.id}
          region={region}
          box={live?.id === region.id ? live.box : region}
          number={numbers.get(region.id) ?? 0}
          view={view}
          selected={selected === region.id}
          hintId={`${hint}-${region.source === "given" ? "box" : "face"}`}
          onFocus={() => reveal(region)}
          onKeyDown={(e) => onRegionKey(e, region.id, context)}
          onClick={() => {
            if (consumeClick()) return;
            onSelect(region.id);
            if (region.source !== "given") dispatch({ type: "toggle", file: file.index, id: region.id });
          }}
        />
      ))}
      {draft && (
        <span
          className="pointer-events-none absolute border-2 border-dashed border-sky-300 bg-sky-400/20 shadow-[0_0_0_1px_rgba(0,0,0,.6)]"
          style={{
            left: view.tx + draft.x * view.scale,
            top: view.ty + draft.y * view.scale,
            width: draft.w * view.scale,
            height: draft.h * view.scale,
          }}
        />
      )}
      <span id={`${hint}-frame`} className="sr-only">
        Plus and minus zoom, 0 fits the photo, arrow keys move the view. Tab goes through the regions.
      </span>
      <span id={`${hint}-face`} className="sr-only">
        Space switches between hidden and kept visible; arrow keys go to the next or previous region.
      </span>
      <span id={`${hint}-box`} className="sr-only">
        Arrow keys move it, Shift with arrow keys resizes it, Delete removes it.
      </span>
    </div>
  );
}
