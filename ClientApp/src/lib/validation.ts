import type { Limits } from "./api";
import { formatDuration, formatMb, listWords } from "./format";

export type FileKind = "image" | "video";

export interface Selection {
  /** What will be uploaded: images (1..max_upload_files) or one video; empty when nothing usable was chosen. */
  files: File[];
  kind: FileKind | null;
  /** One sentence per refused file or rule, in words a person understands. */
  problems: string[];
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}

export function kindOf(file: File, limits: Limits): FileKind | null {
  const ext = extensionOf(file.name);
  if (limits.image_extensions.includes(ext)) return "image";
  if (limits.video_extensions.includes(ext)) return "video";
  return null;
}

/** The `accept` attribute of the file picker, from the server's lists. */
export function acceptAttribute(limits: Limits): string {
  return [...limits.image_extensions, ...limits.video_extensions].map((e) => `.${e}`).join(",");
}

/**
 * Checks a selection against the server's limits before anything is sent: type (by extension; the server sniffs the
 * bytes too), size and count. `current` is what is already chosen: images add up to the limit, a video replaces.
 */
export function validateSelection(incoming: File[], limits: Limits, current: File[] = []): Selection {
  const problems: string[] = [];
  const images: File[] = [];
  const videos: File[] = [];
  const maxImageBytes = limits.max_upload_mb * 1024 * 1024;
  const maxVideoBytes = limits.max_video_mb * 1024 * 1024;

  for (const file of incoming) {
    const kind = kindOf(file, limits);
    if (kind === null) {
      problems.push(
        `“${file.name}” is not a supported type. Photos: ${listWords(limits.image_extensions)}; videos: ${listWords(limits.video_extensions)}.`,
      );
    } else if (file.size === 0) {
      problems.push(`“${file.name}” is empty.`);
    } else if (kind === "image" && file.size > maxImageBytes) {
      problems.push(`“${file.name}” is too large: photos can be up to ${formatMb(limits.max_upload_mb)} each.`);
    } else if (kind === "video" && file.size > maxVideoBytes) {
      problems.push(`“${file.name}” is too large: a video can be up to ${formatMb(limits.max_video_mb)}.`);
    } else if (kind === "image") {
      images.push(file);
    } else {
      videos.push(file);
    }
  }

  const [video] = videos;
  if (video) {
    if (videos.length > 1 || images.length > 0) {
      problems.push("Choose many photos or one video at a time, not both. The first video was kept.");
    }
    return { files: [video], kind: "video", problems };
  }

  const kept = current.filter((f) => kindOf(f, limits) === "image");
  const all = [...kept, ...images.filter((f) => !kept.some((k) => sameFile(k, f)))];
  if (all.length > limits.max_upload_files) {
    problems.push(
      `Up to ${limits.max_upload_files} photos can be processed at once; the first ${limits.max_upload_files} were kept.`,
    );
  }
  const files = all.slice(0, limits.max_upload_files);
  return { files, kind: files.length > 0 ? "image" : null, problems };
}

/** Checks a video's duration (read by the browser from its metadata) against the server's limit. */
export function videoDurationProblem(seconds: number, limits: Limits): string | null {
  return Number.isFinite(seconds) && seconds > limits.max_video_seconds
    ? `This video is ${formatDuration(seconds)} long; videos can be up to ${formatDuration(limits.max_video_seconds)}.`
    : null;
}

function sameFile(a: File, b: File): boolean {
  return a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;
}
