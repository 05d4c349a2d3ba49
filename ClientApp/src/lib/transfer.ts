// Moving bytes with progress: uploads through XMLHttpRequest (fetch reports no upload progress) and downloads by
// reading the response body as a stream.

export interface Transferred {
  /** Bytes moved so far and the total (the total is 0 when the server did not say). */
  loaded: number;
  total: number;
}

export type OnTransfer = (progress: Transferred) => void;

/** The part of XMLHttpRequest an upload uses (a test can hand in its own). */
export interface XhrLike {
  open(method: string, url: string): void;
  send(body: FormData): void;
  abort(): void;
  getAllResponseHeaders(): string;
  withCredentials: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly responseText: string;
  upload: { onprogress: ((event: ProgressEvent) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}

export type XhrFactory = () => XhrLike;

export const browserXhr: XhrFactory = () => new XMLHttpRequest() as unknown as XhrLike;

/**
 * POSTs a form and resolves with the answer as a Response (any status), reporting the bytes sent as they go. Rejects
 * with an AbortError when the signal aborts, and with a TypeError when the connection fails (as fetch does).
 */
export function postForm(
  url: string,
  body: FormData,
  options: { signal?: AbortSignal; onUpload?: OnTransfer; xhr?: XhrFactory } = {},
): Promise<Response> {
  const { signal, onUpload, xhr: create = browserXhr } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DOMException("The upload was aborted.", "AbortError"));
    const request = create();
    const onAbort = () => request.abort();
    const finish = () => signal?.removeEventListener("abort", onAbort);
    request.open("POST", url);
    request.withCredentials = true;
    request.upload.onprogress = (event) =>
      onUpload?.({ loaded: event.loaded, total: event.lengthComputable ? event.total : 0 });
    request.onload = () => {
      finish();
      // Response refuses statuses outside 200..599; an answer like that is as good as none.
      if (request.status < 200 || request.status > 599) return reject(new TypeError("No usable answer."));
      resolve(
        new Response(request.status === 204 ? null : request.responseText, {
          status: request.status,
          statusText: request.statusText,
          headers: parseHeaders(request.getAllResponseHeaders()),
        }),
      );
    };
    request.onerror = () => {
      finish();
      reject(new TypeError("The upload failed."));
    };
    request.onabort = () => {
      finish();
      reject(new DOMException("The upload was aborted.", "AbortError"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    request.send(body);
  });
}

export function parseHeaders(raw: string): Headers {
  const headers = new Headers();
  for (const line of raw.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    try {
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    } catch {
      /* a header name the Headers class refuses: not one the page reads */
    }
  }
  return headers;
}

/** Reads a response body to a Blob, reporting bytes received against Content-Length. */
export async function readWithProgress(response: Response, onProgress?: OnTransfer): Promise<Blob> {
  const total = Number(response.headers.get("Content-Length")) || 0;
  const type = response.headers.get("Content-Type")?.split(";")[0]?.trim() ?? "";
  if (!response.body || !onProgress) return response.blob();
  const reader = response.body.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let loaded = 0;
  onProgress({ loaded, total });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress({ loaded, total });
  }
  return new Blob(chunks, { type });
}
