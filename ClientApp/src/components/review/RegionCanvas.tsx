import { useEffect, useId, useRef, useState, type KeyboardEvent, type PointerEvent, type RefObject } from "react";
import type { Viewport } from "@/hooks/useViewport";
import type { Box, PhotoRegions } from "@/lib/regions";
import { boxFromCorners, clampBox, nextDrawnId, resizeBox, type Handle, type ReviewAction } from "@/lib/review";
import { toImage } from "@/lib/viewport";
import { cn } from "@/lib/utils";
import { RegionMark } from "./RegionMark";

export type Tool = "draw" | "pan";

interface Point {
  x: number;
  y: number;
}

type Gesture =
  | { kind: "none" }
  | { kind: "pending"; start: Point; regionId: string | null; drawn: boolean }
  | { kind: "pan"; last: Point }
  | { kind: "draw"; start: Point }
  | { kind: "move"; id: string; start: Point; box: Box }
  | { kind: "resize"; id: string; handle: Handle; start: Point; box: Box }
  | { kind: "pinch"; distance: number; middle: Point; view: Viewport["view"] };

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

const dragThreshold = 5;

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
  const pointers = useRef(new Map<number, Point>());
  const gesture = useRef<Gesture>({ kind: "none" });
  const suppressClick = useRef(false);
  // What a drag shows while it runs; the refs hold the latest (a release may come before React renders the last move).
  const [live, showLive] = useState<{ id: string; box: Box } | null>(null);
  const [draft, showDraft] = useState<Box | null>(null);
  const latest = useRef<{ live: { id: string; box: Box } | null; draft: Box | null }>({ live: null, draft: null });
  const setLive = (next: { id: string; box: Box } | null) => {
    latest.current.live = next;
    showLive(next);
  };
  const setDraft = (next: Box | null) => {
    latest.current.draft = next;
    showDraft(next);
  };
  const numbers = new Map(file.regions.map((r, i) => [r.id, i + 1]));

  useEffect(() => {
    if (!focusRequest) return;
    frame.current?.querySelector<HTMLElement>(`[data-region-id="${CSS.escape(focusRequest.id)}"]`)?.focus();
  }, [focusRequest, frame]);

  // The wheel zooms at the pointer; a listener that may cancel scrolling must not be passive, so it is added here.
  useEffect(() => {
    const element = frame.current;
    if (!element) return;
    const onWheel = (e: WheelEvent) => {
      const factor = Math.exp(-e.deltaY * (e.ctrlKey ? 0.01 : 0.0015));
      // At the smallest zoom, scrolling down scrolls the page instead of doing nothing.
      if (factor < 1 && viewport.view.scale <= viewport.fitScale + 1e-6) return;
      e.preventDefault();
      const rect = element.getBoundingClientRect();
      viewport.zoom(factor, { x: e.clientX - rect.left, y: e.clientY - rect.top });
    };
    element.addEventListener("wheel", onWheel, { passive: false });
    return () => element.removeEventListener("wheel", onWheel);
  }, [frame, viewport]);

  const local = (e: { clientX: number; clientY: number }): Point => {
    const rect = frame.current?.getBoundingClientRect();
    return { x: e.clientX - (rect?.left ?? 0), y: e.clientY - (rect?.top ?? 0) };
  };
  const capture = (e: PointerEvent) => frame.current?.setPointerCapture?.(e.pointerId);

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    suppressClick.current = false;
    // A mouse has one pointer: an entry left by a release outside the frame must not start a pinch.
    if (e.pointerType === "mouse") pointers.current.clear();
    const point = local(e);
    pointers.current.set(e.pointerId, point);
    if (pointers.current.size === 2) {
      const [a, b] = [...pointers.current.values()] as [Point, Point];
      gesture.current = { kind: "pinch", distance: distance(a, b), middle: middle(a, b), view };
      setDraft(null);
      setLive(null);
      for (const id of pointers.current.keys()) frame.current?.setPointerCapture?.(id);
      return;
    }
    if (pointers.current.size > 2) return;
    const target = e.target as HTMLElement;
    const handle = target.closest<HTMLElement>("[data-handle]")?.dataset.handle as Handle | undefined;
    const regionId = target.closest<HTMLElement>("[data-region-id]")?.dataset.regionId ?? null;
    const region = file.regions.find((r) => r.id === regionId);
    if (handle && region) {
      e.preventDefault();
      capture(e);
      gesture.current = { kind: "resize", id: region.id, handle, start: toImage(view, point.x, point.y), box: region };
      return;
    }
    if (e.button === 1) {
      e.preventDefault();
      capture(e);
      gesture.current = { kind: "pan", last: point };
      return;
    }
    gesture.current = { kind: "pending", start: point, regionId, drawn: region?.source === "given" };
  };

  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (!pointers.current.has(e.pointerId)) return;
    const point = local(e);
    pointers.current.set(e.pointerId, point);
    const g = gesture.current;
    if (g.kind === "pinch") {
      const [a, b] = [...pointers.current.values()] as [Point, Point];
      const scale = g.view.scale * (distance(a, b) / Math.max(1, g.distance));
      const anchor = toImage(g.view, g.middle.x, g.middle.y);
      const now = middle(a, b);
      viewport.set({ scale, tx: now.x - anchor.x * scale, ty: now.y - anchor.y * scale });
    } else if (g.kind === "pending") {
      if (distance(point, g.start) < dragThreshold) return;
      suppressClick.current = true;
      capture(e);
      const start = toImage(view, g.start.x, g.start.y);
      const region = file.regions.find((r) => r.id === g.regionId);
      if (region && g.drawn) {
        onSelect(region.id);
        gesture.current = { kind: "move", id: region.id, start, box: region };
      } else if (tool === "draw") {
        gesture.current = { kind: "draw", start };
      } else {
        gesture.current = { kind: "pan", last: g.start };
      }
      onPointerMove(e);
    } else if (g.kind === "pan") {
      viewport.pan(point.x - g.last.x, point.y - g.last.y);
      gesture.current = { kind: "pan", last: point };
    } else if (g.kind === "draw") {
      const at = toImage(view, point.x, point.y);
      setDraft(clampBox(boxFromCorners(g.start, at), file.width, file.height));
    } else if (g.kind === "move" || g.kind === "resize") {
      const at = toImage(view, point.x, point.y);
      const dx = at.x - g.start.x;
      const dy = at.y - g.start.y;
      const box =
        g.kind === "move" ? { ...g.box, x: g.box.x + dx, y: g.box.y + dy } : resizeBox(g.box, g.handle, dx, dy);
      setLive({ id: g.id, box: clampBox(box, file.width, file.height) });
    }
  };

  const finish = (e: PointerEvent<HTMLDivElement>, cancelled: boolean) => {
    // The release's own position counts: it may differ from the last move.
    if (!cancelled && pointers.current.has(e.pointerId)) onPointerMove(e);
    pointers.current.delete(e.pointerId);
    const g = gesture.current;
    const { draft, live } = latest.current;
    if (g.kind === "pinch") {
      // One finger left of two does nothing more until it is lifted too.
      gesture.current = { kind: "none" };
      return;
    }
    gesture.current = { kind: "none" };
    setDraft(null);
    setLive(null);
    if (cancelled) return;
    if (g.kind === "draw" && draft) {
      // A box smaller than a few screen pixels was a slip, not a region.
      if (draft.w * view.scale >= 6 && draft.h * view.scale >= 6) {
        const id = nextDrawnId(file);
        dispatch({ type: "add", file: file.index, id, box: draft });
        onSelect(id);
      }
    } else if ((g.kind === "move" || g.kind === "resize") && live) {
      dispatch({ type: "update", file: file.index, id: live.id, box: live.box });
    } else if (g.kind === "pending" && g.regionId === null) {
      onSelect(null);
    }
  };

  const onFrameKey = (e: KeyboardEvent<HTMLDivElement>) => {
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
  };

  const onRegionKey = (e: KeyboardEvent<HTMLButtonElement>, id: string) => {
    const region = file.regions.find((r) => r.id === id);
    if (!region || e.ctrlKey || e.metaKey || e.altKey) return;
    const arrows: Record<string, [number, number]> = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, -1],
      ArrowDown: [0, 1],
    };
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
        const step = Math.max(1, 4 / view.scale);
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
  };

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
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={(e) => finish(e, false)}
      onPointerCancel={(e) => finish(e, true)}
      onKeyDown={onFrameKey}
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
          onKeyDown={(e) => onRegionKey(e, region.id)}
          onClick={() => {
            if (suppressClick.current) {
              suppressClick.current = false;
              return;
            }
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

function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

function middle(a: Point, b: Point): Point {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}
