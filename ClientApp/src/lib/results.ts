import type { JobResult } from "./api";
import { facesFromComment, readZip } from "./zip";

export interface ImageItem {
  name: string;
  before: string;
  after: string;
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
  | { kind: "video"; url: string; totalFaces: number | null; download: Download };

/**
 * Turns the downloaded result (served once) into what the page shows: object URLs for the originals and the results,
 * paired in upload order (the server keeps it in the zip), and one URL for the download. `revoke` frees them.
 */
export async function prepareResult(result: JobResult, originals: File[], kind: "image" | "video"): Promise<Prepared> {
  const download: Download = {
    url: URL.createObjectURL(result.blob),
    fileName: result.fileName,
    size: result.blob.size,
  };
  if (kind === "video") {
    return { kind: "video", url: download.url, totalFaces: result.facesDetected, download };
  }
  const zipped = result.contentType === "application/zip" || result.fileName.toLowerCase().endsWith(".zip");
  if (!zipped) {
    const original = originals[0];
    return {
      kind: "images",
      totalFaces: result.facesDetected,
      download,
      items: [
        {
          name: original?.name ?? result.fileName,
          before: original ? URL.createObjectURL(original) : download.url,
          after: download.url,
          faces: result.facesDetected,
        },
      ],
    };
  }
  const entries = await readZip(await result.blob.arrayBuffer());
  return {
    kind: "images",
    totalFaces: result.facesDetected,
    download,
    items: entries.map((entry, i) => {
      const original = originals[i];
      const after = URL.createObjectURL(entry.data);
      return {
        name: original?.name ?? entry.name,
        before: original ? URL.createObjectURL(original) : after,
        after,
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
      urls.add(item.before);
      urls.add(item.after);
    }
  }
  urls.forEach((url) => URL.revokeObjectURL(url));
}
