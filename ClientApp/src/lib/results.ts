import type { JobResult } from "./api";
import { blurredName, videoName, zipName } from "./names";
import { facesFromComment, readZip } from "./zip";

export interface ImageItem {
  /** The photo's place in the upload (the regions export's `index`). */
  index: number;
  name: string;
  /** The original (null when the page no longer has it, after a reload in a browser that could not keep it). */
  before: string | null;
  after: string;
  /** What this photo is saved as on its own: "<name>-blurred.<ext>". */
  downloadName: string;
  /** Faces found in this image (from the zip entry's comment or X-Faces-Detected); null when not reported. */
  faces: number | null;
}

export interface Download {
  url: string;
  fileName: string;
  size: number;
}

export type Prepared =
  | { kind: "images"; items: ImageItem[]; totalFaces: number | null; download: Download }
  | { kind: "video"; url: string; original: string | null; totalFaces: number | null; download: Download };

/**
 * Turns the downloaded result (served once) into what the page shows: object URLs for the originals and the results,
 * paired in upload order (the server keeps it in the zip), and one URL for the download, named after the originals.
 * `names` are the original file names (the files themselves may be gone after a reload). `revoke` frees the URLs.
 */
export async function prepareResult(
  result: JobResult,
  originals: File[],
  names: string[],
  kind: "image" | "video",
): Promise<Prepared> {
  const url = URL.createObjectURL(result.blob);
  const nameAt = (i: number, fallback: string) => originals[i]?.name ?? names[i] ?? fallback;
  const beforeAt = (i: number) => (originals[i] ? URL.createObjectURL(originals[i]) : null);
  if (kind === "video") {
    const fileName = videoName(nameAt(0, "video"));
    return {
      kind: "video",
      url,
      original: beforeAt(0),
      totalFaces: result.facesDetected,
      download: { url, fileName, size: result.blob.size },
    };
  }
  const zipped = result.contentType === "application/zip" || result.fileName.toLowerCase().endsWith(".zip");
  if (!zipped) {
    const name = nameAt(0, result.fileName);
    const downloadName = blurredName(name, result.fileName);
    return {
      kind: "images",
      totalFaces: result.facesDetected,
      download: { url, fileName: downloadName, size: result.blob.size },
      items: [{ index: 0, name, before: beforeAt(0), after: url, downloadName, faces: result.facesDetected }],
    };
  }
  const entries = await readZip(await result.blob.arrayBuffer());
  return {
    kind: "images",
    totalFaces: result.facesDetected,
    download: { url, fileName: zipName(entries.length), size: result.blob.size },
    items: entries.map((entry, i) => {
      const name = nameAt(i, entry.name);
      return {
        index: i,
        name,
        before: beforeAt(i),
        after: URL.createObjectURL(entry.data),
        downloadName: blurredName(name, entry.name),
        faces: facesFromComment(entry.comment),
      };
    }),
  };
}

export function revoke(prepared: Prepared | null): void {
  if (!prepared) return;
  const urls = new Set<string>([prepared.download.url]);
  if (prepared.kind === "images") {
    for (const item of prepared.items) {
      if (item.before) urls.add(item.before);
      urls.add(item.after);
    }
  } else if (prepared.original) {
    urls.add(prepared.original);
  }
  urls.forEach((url) => URL.revokeObjectURL(url));
}
