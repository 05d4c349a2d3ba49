import { bestFrame, type Track } from "./regions";

/** How much of the face's surroundings a picture shows (share of the box added on each side). */
const margin = 0.35;

function seek(video: HTMLVideoElement, seconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      video.removeEventListener("seeked", done);
      video.removeEventListener("error", failed);
      resolve();
    };
    const failed = () => {
      video.removeEventListener("seeked", done);
      reject(new Error("The video could not be read here."));
    };
    if (signal.aborted) return reject(signal.reason);
    video.addEventListener("seeked", done, { once: true });
    video.addEventListener("error", failed, { once: true });
    video.currentTime = seconds;
  });
}

function loaded(video: HTMLVideoElement): Promise<void> {
  return new Promise((resolve, reject) => {
    if (video.readyState >= 1) return resolve();
    video.addEventListener("loadeddata", () => resolve(), { once: true });
    video.addEventListener("error", () => reject(new Error("The video could not be read here.")), { once: true });
  });
}

/**
 * Cuts a square picture of each track's face from the person's own original video, at the frame where the face is
 * largest: nothing is downloaded, the browser decodes the original. Resolves with an object URL per track id (a track
 * whose frame could not be read has none); the caller revokes them. A browser that cannot play the original (some
 * codecs) yields no pictures.
 */
export async function cutTrackPictures(
  original: Blob,
  tracks: Track[],
  frame: { width: number; height: number },
  signal: AbortSignal,
  size = 96,
): Promise<Record<string, string>> {
  const pictures: Record<string, string> = {};
  const source = URL.createObjectURL(original);
  const video = document.createElement("video");
  video.muted = true;
  video.preload = "auto";
  video.playsInline = true;
  video.src = source;
  try {
    await loaded(video);
    // The export's boxes are in the output frame's pixels; the browser shows the original at its own size.
    const sx = video.videoWidth / (frame.width || video.videoWidth);
    const sy = video.videoHeight / (frame.height || video.videoHeight);
    const canvas = document.createElement("canvas");
    canvas.width = size;
    canvas.height = size;
    const context = canvas.getContext("2d");
    if (!context) return pictures;
    for (const track of tracks) {
      const best = bestFrame(track);
      if (!best) continue;
      await seek(video, Math.min(best.t, Math.max(0, video.duration - 0.001)), signal);
      const side = Math.max(best.w, best.h) * (1 + 2 * margin);
      const cx = best.x + best.w / 2;
      const cy = best.y + best.h / 2;
      context.fillStyle = "#000";
      context.fillRect(0, 0, size, size);
      context.drawImage(video, (cx - side / 2) * sx, (cy - side / 2) * sy, side * sx, side * sy, 0, 0, size, size);
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
      if (blob) pictures[track.id] = URL.createObjectURL(blob);
    }
  } catch (error) {
    if (signal.aborted) {
      Object.values(pictures).forEach((url) => URL.revokeObjectURL(url));
      throw error;
    }
  } finally {
    video.removeAttribute("src");
    video.load();
    URL.revokeObjectURL(source);
  }
  return pictures;
}
