import type { XhrLike } from "@/lib/transfer";

/**
 * An XMLHttpRequest stand-in for unit tests (jsdom's would go to the network): it records the request and answers
 * what the test gives it, after reporting the upload progress steps it was given.
 */
export class ScriptedXhr implements XhrLike {
  static last: ScriptedXhr | null = null;
  method = "";
  url = "";
  body: FormData | null = null;
  withCredentials = false;
  status = 0;
  statusText = "";
  responseText = "";
  aborted = false;
  private headers = "";
  upload: XhrLike["upload"] = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;

  constructor(
    private readonly answer: { status: number; body: unknown; headers?: Record<string, string> } | "fail" | "hang",
    private readonly steps: [number, number][] = [],
  ) {
    ScriptedXhr.last = this;
  }

  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }

  send(body: FormData) {
    this.body = body;
    queueMicrotask(() => {
      for (const [loaded, total] of this.steps) {
        this.upload.onprogress?.({ loaded, total, lengthComputable: true } as ProgressEvent);
      }
      if (this.answer === "hang" || this.aborted) return;
      if (this.answer === "fail") return this.onerror?.();
      this.status = this.answer.status;
      this.responseText = JSON.stringify(this.answer.body);
      this.headers = Object.entries({ "Content-Type": "application/json", ...this.answer.headers })
        .map(([k, v]) => `${k}: ${v}`)
        .join("\r\n");
      this.onload?.();
    });
  }

  abort() {
    this.aborted = true;
    this.onabort?.();
  }

  getAllResponseHeaders() {
    return this.headers;
  }
}
