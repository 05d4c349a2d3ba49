// Zoom and pan of a picture in a frame: a point of the picture (x, y) is shown at (x * scale + tx, y * scale + ty).

export interface View {
  scale: number;
  tx: number;
  ty: number;
}

export interface Size {
  width: number;
  height: number;
}

/** The whole picture, as large as the frame allows, centred. */
export function fitView(image: Size, frame: Size): View {
  if (image.width <= 0 || image.height <= 0 || frame.width <= 0 || frame.height <= 0) return { scale: 1, tx: 0, ty: 0 };
  const scale = Math.min(frame.width / image.width, frame.height / image.height);
  return {
    scale,
    tx: (frame.width - image.width * scale) / 2,
    ty: (frame.height - image.height * scale) / 2,
  };
}

/** From "fits the frame" to enough to see a small face's pixels (at least 4 screen pixels per picture pixel). */
export function scaleLimits(image: Size, frame: Size): { min: number; max: number } {
  const fit = fitView(image, frame).scale;
  return { min: fit, max: Math.max(fit * 12, 4) };
}

/**
 * Keeps the picture where it can be seen: centred along a side where it is smaller than the frame, and never pulled
 * past its edges along a side where it is larger.
 */
export function clampView(view: View, image: Size, frame: Size): View {
  const { min, max } = scaleLimits(image, frame);
  const scale = Math.min(max, Math.max(min, view.scale));
  const axis = (t: number, picture: number, room: number) => {
    const shown = picture * scale;
    return shown <= room ? (room - shown) / 2 : Math.min(0, Math.max(room - shown, t));
  };
  return { scale, tx: axis(view.tx, image.width, frame.width), ty: axis(view.ty, image.height, frame.height) };
}

/** Zooms by `factor` keeping the picture point under (px, py) (frame coordinates) where it is. */
export function zoomAt(view: View, factor: number, px: number, py: number, image: Size, frame: Size): View {
  const { min, max } = scaleLimits(image, frame);
  const scale = Math.min(max, Math.max(min, view.scale * factor));
  const ratio = scale / view.scale;
  return clampView({ scale, tx: px - (px - view.tx) * ratio, ty: py - (py - view.ty) * ratio }, image, frame);
}

export function panBy(view: View, dx: number, dy: number, image: Size, frame: Size): View {
  return clampView({ ...view, tx: view.tx + dx, ty: view.ty + dy }, image, frame);
}

/** The picture point shown at frame point (px, py). */
export function toImage(view: View, px: number, py: number): { x: number; y: number } {
  return { x: (px - view.tx) / view.scale, y: (py - view.ty) / view.scale };
}

/** The part of the picture the frame shows, in picture pixels. */
export function visibleArea(view: View, image: Size, frame: Size): { x: number; y: number; w: number; h: number } {
  const a = toImage(view, 0, 0);
  const b = toImage(view, frame.width, frame.height);
  const x = Math.max(0, a.x);
  const y = Math.max(0, a.y);
  return { x, y, w: Math.min(image.width, b.x) - x, h: Math.min(image.height, b.y) - y };
}
