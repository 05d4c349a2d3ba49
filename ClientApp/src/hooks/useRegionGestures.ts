import { useEffect, useRef, useState, type PointerEvent, type RefObject } from "react";
import type { Viewport } from "@/hooks/useViewport";
import type { Box, PhotoRegions } from "@/lib/regions";
import { boxFromCorners, clampBox, nextDrawnId, resizeBox, type Handle, type ReviewAction } from "@/lib/review";
import { toImage } from "@/lib/viewport";

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

const dragThreshold = 5;

interface Options {
  file: PhotoRegions;
  frame: RefObject<HTMLDivElement | null>;
  viewport: Viewport;
  tool: Tool;
  onSelect: (id: string | null) => void;
  dispatch: (action: ReviewAction) => void;
}

/**
 * Mouse, touch and pen over the review frame: a drag on the photo draws a box (or pans, with the pan tool, the middle
 * button or two fingers), a drag on a drawn box moves it and on its corners resizes it, two fingers pinch, the wheel
 * zooms at the pointer. A press without a drag is left to the region's click (toggle or select); `consumeClick`
 * tells a click that ends a drag, which must do nothing.
 */
export function useRegionGestures({ file, frame, viewport, tool, onSelect, dispatch }: Options) {
  const { view } = viewport;
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

  const consumeClick = () => {
    const suppressed = suppressClick.current;
    suppressClick.current = false;
    return suppressed;
  };

  return {
    live,
    draft,
    consumeClick,
    handlers: {
      onPointerDown,
      onPointerMove,
      onPointerUp: (e: PointerEvent<HTMLDivElement>) => finish(e, false),
      onPointerCancel: (e: PointerEvent<HTMLDivElement>) => finish(e, true),
    },
  };
}

function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

function middle(a: Point, b: Point): Point {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}
