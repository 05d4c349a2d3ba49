// A small reader for the zips the server answers for several photos: central directory, stored or deflated entries,
// and each entry's comment (where the server writes "faces=N").

export interface ZipEntry {
  name: string;
  comment: string;
  data: Blob;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export async function readZip(buffer: ArrayBuffer): Promise<ZipEntry[]> {
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  const decoder = new TextDecoder();
  let end = -1;
  // The end record is the last 22 bytes plus a comment of at most 65535 bytes.
  for (let i = buffer.byteLength - 22; i >= Math.max(0, buffer.byteLength - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error("Not a zip archive.");
  const count = view.getUint16(end + 10, true);
  let offset = view.getUint32(end + 16, true);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (view.getUint32(offset, true) !== CENTRAL) throw new Error("Damaged zip archive.");
    const method = view.getUint16(offset + 10, true);
    const compressedSize = view.getUint32(offset + 20, true);
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    const localOffset = view.getUint32(offset + 42, true);
    const name = decoder.decode(bytes.subarray(offset + 46, offset + 46 + nameLength));
    const commentStart = offset + 46 + nameLength + extraLength;
    const comment = decoder.decode(bytes.subarray(commentStart, commentStart + commentLength));
    offset = commentStart + commentLength;

    if (view.getUint32(localOffset, true) !== LOCAL) throw new Error("Damaged zip archive.");
    const dataStart =
      localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    const raw = bytes.slice(dataStart, dataStart + compressedSize);
    if (name.endsWith("/")) continue;
    if (method !== 0 && method !== 8) throw new Error(`Unsupported zip compression (${method}).`);
    entries.push({ name, comment, data: new Blob([method === 8 ? await inflate(raw) : raw], { type: mimeOf(name) }) });
  }
  return entries;
}

async function inflate(raw: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer> {
  const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Response(stream).arrayBuffer();
}

/** The face count the server wrote in an entry's comment ("faces=3"), if any. */
export function facesFromComment(comment: string): number | null {
  const match = /(?:^|[;\s])faces=(\d+)/.exec(comment);
  return match ? Number(match[1]) : null;
}

const types: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  bmp: "image/bmp",
  tif: "image/tiff",
  tiff: "image/tiff",
};

export function mimeOf(name: string): string {
  const ext = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
  return types[ext] ?? "application/octet-stream";
}
