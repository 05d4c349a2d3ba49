import type { Busy } from "@/hooks/useJob";
import { formatBytes } from "./format";
import { formatSpeed, formatTimeLeft } from "./rate";

/** What the job is doing, as the page and the server know it. */
export function describeStage(
  state: Busy,
  kind: "image" | "video",
): { title: string; detail: string; percent: number | null } {
  if (state.phase === "uploading") {
    const sent = state.total > 0 && state.loaded >= state.total;
    if (sent) return { title: "Checking the upload", detail: "The server is reading the files…", percent: null };
    const parts = [
      `${formatBytes(state.loaded)} of ${formatBytes(state.total)}`,
      formatSpeed(state.speed),
      formatTimeLeft(state.secondsLeft),
    ].filter(Boolean);
    return { title: "Uploading", detail: parts.join(" · "), percent: pct(state.loaded, state.total) };
  }
  if (state.phase === "downloading") {
    const detail =
      state.total > 0 ? `${formatBytes(state.loaded)} of ${formatBytes(state.total)}` : formatBytes(state.loaded);
    return {
      title: "Downloading the result",
      detail,
      percent: state.total > 0 ? pct(state.loaded, state.total) : null,
    };
  }
  const percent = Math.round(state.progress * 100);
  const left = formatTimeLeft(state.secondsLeft);
  switch (state.stage) {
    case "":
      return { title: "Starting", detail: "Asking the server how the job is going…", percent: null };
    case "queued": {
      const ahead = state.queuePosition ? state.queuePosition - 1 : null;
      return {
        title: state.queuePosition ? `Waiting in the queue — position ${state.queuePosition}` : "Waiting in the queue",
        detail: ahead
          ? `${ahead} job${ahead === 1 ? "" : "s"} ahead; it starts by itself.`
          : "It starts by itself as soon as the server is free.",
        percent: 0,
      };
    }
    case "detecting":
      return {
        title: kind === "video" ? "Finding and hiding faces, frame by frame" : "Finding faces",
        detail: left || "This page updates by itself.",
        percent,
      };
    case "encoding":
      return { title: kind === "video" ? "Finishing the video" : "Saving the result", detail: left, percent };
    default:
      return { title: state.stage, detail: left, percent };
  }
}

function pct(loaded: number, total: number): number {
  return total > 0 ? Math.min(100, Math.round((loaded / total) * 100)) : 0;
}
