import { useCallback, useEffect, useState, type RefObject } from "react";
import { clampView, fitView, panBy, zoomAt, type Size, type View } from "@/lib/viewport";

/**
 * Zoom and pan of a picture inside a frame element: the frame's size is watched, the view fits the picture whenever
 * the picture or the frame's size changes, and every change is kept within bounds.
 */
export function useViewport(image: Size, frame: RefObject<HTMLElement | null>) {
  const [size, setSize] = useState<Size>({ width: 0, height: 0 });
  const [view, setView] = useState<View>({ scale: 1, tx: 0, ty: 0 });
  // A new picture is shown whole; when only the frame's size changes, a view at "fit" fits again and a zoomed one
  // keeps its zoom (adjusted while rendering, not in an effect).
  const [shownFor, setShownFor] = useState({ image: "", size });
  const imageKey = `${image.width}x${image.height}`;
  if (shownFor.image !== imageKey || shownFor.size !== size) {
    const wasFit = Math.abs(view.scale - fitView(image, shownFor.size).scale) < 1e-6;
    setShownFor({ image: imageKey, size });
    setView(shownFor.image !== imageKey || wasFit ? fitView(image, size) : clampView(view, image, size));
  }

  useEffect(() => {
    const element = frame.current;
    if (!element) return;
    const measure = () => {
      const next = { width: element.clientWidth, height: element.clientHeight };
      setSize((current) => (current.width === next.width && current.height === next.height ? current : next));
    };
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [frame]);

  const fit = useCallback(() => setView(fitView(image, size)), [image, size]);
  const zoom = useCallback(
    (factor: number, at?: { x: number; y: number }) =>
      setView((v) => zoomAt(v, factor, at?.x ?? size.width / 2, at?.y ?? size.height / 2, image, size)),
    [image, size],
  );
  const pan = useCallback((dx: number, dy: number) => setView((v) => panBy(v, dx, dy, image, size)), [image, size]);
  const set = useCallback((next: View) => setView(clampView(next, image, size)), [image, size]);
  const fitScale = fitView(image, size).scale;

  return { view, size, fit, zoom, pan, set, fitScale };
}

export type Viewport = ReturnType<typeof useViewport>;
