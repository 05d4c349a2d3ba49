import type { KeyboardEvent, RefObject } from "react";
import type { Viewport } from "@/hooks/useViewport";
import type { PhotoRegions } from "@/lib/regions";
import type { ReviewAction } from "@/lib/review";

// The review's keyboard: on the frame, + and - zoom, 0 fits, arrows pan, Escape deselects; on a found face, arrows go
// to the next or previous region (Space, the button's own, toggles it); on a drawn box, arrows move it, Shift+arrows
// resize it, Delete removes it.

interface Context {
  file: PhotoRegions;
  frame: RefObject<HTMLDivElement | null>;
  viewport: Viewport;
  onSelect: (id: string | null) => void;
  dispatch: (action: ReviewAction) => void;
}

const arrows: Record<string, [number, number]> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
};

export function onFrameKey(e: KeyboardEvent<HTMLDivElement>, { frame, viewport, onSelect }: Context): void {
  const step = 48;
  const keys: Record<string, () => void> = {
    "+": () => viewport.zoom(1.25),
    "=": () => viewport.zoom(1.25),
    "-": () => viewport.zoom(0.8),
    _: () => viewport.zoom(0.8),
    "0": () => viewport.fit(),
    Escape: () => {
      onSelect(null);
      frame.current?.focus();
    },
  };
  if (e.target === frame.current) {
    keys.ArrowLeft = () => viewport.pan(step, 0);
    keys.ArrowRight = () => viewport.pan(-step, 0);
    keys.ArrowUp = () => viewport.pan(0, step);
    keys.ArrowDown = () => viewport.pan(0, -step);
  }
  const action = e.ctrlKey || e.metaKey || e.altKey ? undefined : keys[e.key];
  if (!action) return;
  e.preventDefault();
  action();
}

export function onRegionKey(e: KeyboardEvent<HTMLButtonElement>, id: string, context: Context): void {
  const { file, frame, viewport, onSelect, dispatch } = context;
  const region = file.regions.find((r) => r.id === id);
  if (!region || e.ctrlKey || e.metaKey || e.altKey) return;
  const arrow = arrows[e.key];
  if (region.source === "given") {
    if (e.key === "Delete" || e.key === "Backspace") {
      e.preventDefault();
      dispatch({ type: "remove", file: file.index, id });
      onSelect(null);
      frame.current?.focus();
    } else if (arrow) {
      e.preventDefault();
      e.stopPropagation();
      // Four screen pixels a press, whatever the zoom.
      const step = Math.max(1, 4 / viewport.view.scale);
      const [dx, dy] = arrow;
      const box = e.shiftKey
        ? { ...region, w: region.w + dx * step, h: region.h + dy * step }
        : { ...region, x: region.x + dx * step, y: region.y + dy * step };
      onSelect(id);
      dispatch({ type: "update", file: file.index, id, box, coalesce: `key:${id}:${e.shiftKey}` });
    }
    return;
  }
  if (arrow || e.key === "Home" || e.key === "End") {
    e.preventDefault();
    e.stopPropagation();
    const buttons = [...(frame.current?.querySelectorAll<HTMLElement>("[data-region-id]") ?? [])];
    const at = buttons.findIndex((b) => b.dataset.regionId === id);
    const next =
      e.key === "Home" ? 0 : e.key === "End" ? buttons.length - 1 : at + (arrow && arrow[0] + arrow[1] > 0 ? 1 : -1);
    buttons[(next + buttons.length) % buttons.length]?.focus();
  }
}
