// The FaceBlur REST API as the page uses it. Every answer is an envelope; every failure becomes an ApiError.

import { parseRegions, type RegionsDoc } from "./regions";
import { browserXhr, postForm, readWithProgress, type OnTransfer, type XhrFactory } from "./transfer";

export type Mode = "blur" | "pixelate" | "solid";
export type Shape = "ellipse" | "rect";

export interface Limits {
  image_extensions: string[];
  video_extensions: string[];
  max_upload_mb: number;
  max_upload_files: number;
  max_video_mb: number;
  max_video_seconds: number;
  modes: Mode[];
  shapes: Shape[];
}

export interface AnonymizeOptions {
  mode: Mode;
  shape: Shape;
  /** Share of the face box added on each side, 0..1. */
  padding: number;
  /** Blur radius / pixel size, 1..100. */
  strength: number;
}

export interface Accepted {
  task_id: string;
  kind: "images" | "video";
  files?: number;
}

export interface Health {
  ok: boolean;
  checks: Record<string, string>;
  message: string;
}

export interface QueueInfo {
  queued: number;
  consumers: number;
  processing: number;
  available: boolean;
}

export interface Stats {
  total_requests: number;
  total_tasks: number;
  total_images: number;
  total_videos: number;
  total_video_seconds: number;
  total_faces: number;
  total_visitors: number;
}

export type JobPoll =
  | { status: "pending" | "processing"; progress: number; stage: string; queuePosition: number | null }
  | { status: "done"; result: JobResult };

export interface JobResult {
  blob: Blob;
  contentType: string;
  fileName: string;
  facesDetected: number | null;
}

/** Codes the server answers, plus two of the page's own when there is no answer to read. */
export type ErrorCode =
  | "validation_error"
  | "payload_too_large"
  | "unsupported_media_type"
  | "media_too_long"
  | "media_too_large"
  | "rate_limited"
  | "task_not_found"
  | "result_gone"
  | "task_failed"
  | "service_unavailable"
  | "internal_error"
  | "not_found"
  | "method_not_allowed"
  | "network_error"
  | "bad_response"
  | (string & {});

export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  /** Seconds to wait before trying again (429: Retry-After or details.retry_after_seconds). */
  readonly retryAfterSeconds: number | null;

  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The server's `details.reason` (task_failed), when it gave one. */
  get reason(): string | null {
    return typeof this.details.reason === "string" ? this.details.reason : null;
  }
}

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

interface Envelope<T> {
  status: string;
  message?: string;
  data?: T;
  code?: string;
  details?: Record<string, unknown>;
}

/** What an upload may carry besides the files and options, and how it reports its bytes. */
export interface UploadExtras {
  signal?: AbortSignal;
  onUpload?: OnTransfer;
  /** The `regions` field (JSON in the regions schema). */
  regions?: string;
  /** false: hide exactly the given regions, run no detector. */
  detect?: boolean;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClient {
  getLimits(signal?: AbortSignal): Promise<Limits>;
  getHealth(signal?: AbortSignal): Promise<Health>;
  getQueue(signal?: AbortSignal): Promise<QueueInfo>;
  /** Null when this server has no /stats (404). */
  getStats(signal?: AbortSignal): Promise<Stats | null>;
  uploadImages(files: File[], options: AnonymizeOptions, extras?: UploadExtras): Promise<Accepted>;
  uploadVideo(file: File, options: AnonymizeOptions, extras?: UploadExtras): Promise<Accepted>;
  /**
   * One poll of a job; a "done" answer carries the bytes, which the server serves only once (`onDownload` reports them
   * as they arrive).
   */
  getResult(taskId: string, signal?: AbortSignal, onDownload?: OnTransfer): Promise<JobPoll>;
  /** The regions the job hid; null while the job runs or when the answer is not the schema. */
  getRegions(taskId: string, signal?: AbortSignal): Promise<RegionsDoc | null>;
  /** Cancels a job (DELETE): a queued one never runs, a running one stops, its files are deleted. */
  cancel(taskId: string): Promise<void>;
}

export function createApiClient(
  baseUrl = "",
  fetchImpl: FetchLike = (input, init) => fetch(input, init),
  xhr: XhrFactory = browserXhr,
): ApiClient {
  async function send(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetchImpl(baseUrl + path, { credentials: "same-origin", ...init });
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new ApiError(0, "network_error", "The server could not be reached.");
    }
  }

  async function json<T>(path: string, init?: RequestInit, acceptStatus: (status: number) => boolean = (s) => s < 300) {
    const response = await send(path, init);
    if (!acceptStatus(response.status)) throw await toError(response);
    const envelope = await readEnvelope<T>(response);
    if (envelope?.data === undefined) {
      throw new ApiError(response.status, "bad_response", "The server's answer could not be read.");
    }
    return { envelope, response, data: envelope.data };
  }

  function form(options: AnonymizeOptions, extras: UploadExtras): FormData {
    const body = new FormData();
    body.set("mode", options.mode);
    body.set("shape", options.shape);
    body.set("padding", String(options.padding));
    body.set("strength", String(Math.round(options.strength)));
    if (extras.detect !== undefined) body.set("detect", String(extras.detect));
    if (extras.regions !== undefined) body.set("regions", extras.regions);
    return body;
  }

  async function upload(path: string, body: FormData, extras: UploadExtras): Promise<Accepted> {
    let response: Response;
    try {
      response = await postForm(baseUrl + path, body, { signal: extras.signal, onUpload: extras.onUpload, xhr });
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new ApiError(0, "network_error", "The server could not be reached.");
    }
    if (response.status >= 300) throw await toError(response);
    const envelope = await readEnvelope<Accepted>(response);
    if (!envelope?.data) throw new ApiError(response.status, "bad_response", "The server's answer could not be read.");
    return envelope.data;
  }

  return {
    async getLimits(signal) {
      return (await json<Limits>("/limits", { signal })).data;
    },

    async getHealth(signal) {
      // 503 answers the same shape with the failing checks.
      const { envelope, response, data } = await json<{ checks: Record<string, string> }>(
        "/health",
        { signal },
        (s) => s < 300 || s === 503,
      );
      return {
        ok: response.ok && envelope.status === "ok",
        checks: data.checks ?? {},
        message: envelope.message ?? "",
      };
    },

    async getQueue(signal) {
      return (await json<QueueInfo>("/queue", { signal })).data;
    },

    async getStats(signal) {
      const response = await send("/stats", { signal });
      if (response.status === 404) return null;
      if (!response.ok) throw await toError(response);
      const envelope = await readEnvelope<Stats>(response);
      return envelope?.data ?? null;
    },

    async uploadImages(files, options, extras = {}) {
      const body = form(options, extras);
      for (const file of files) body.append("files", file, file.name);
      return upload("/blur", body, extras);
    },

    async uploadVideo(file, options, extras = {}) {
      const body = form(options, extras);
      body.append("file", file, file.name);
      return upload("/blur/video", body, extras);
    },

    async getRegions(taskId, signal) {
      const response = await send(`/results/${encodeURIComponent(taskId)}/regions`, { signal, cache: "no-store" });
      if (response.status === 202) return null;
      if (!response.ok) throw await toError(response);
      return parseRegions((await readEnvelope<unknown>(response))?.data);
    },

    async cancel(taskId) {
      const response = await send(`/results/${encodeURIComponent(taskId)}`, { method: "DELETE" });
      // 404: already gone (finished and expired, or cancelled before): nothing left to stop.
      if (!response.ok && response.status !== 404) throw await toError(response);
    },

    async getResult(taskId, signal, onDownload) {
      const response = await send(`/results/${encodeURIComponent(taskId)}`, { signal, cache: "no-store" });
      if (response.status === 202) {
        const envelope = await readEnvelope<{ progress?: number; stage?: string; queue_position?: number | null }>(
          response,
        );
        const data = envelope?.data ?? {};
        return {
          status: envelope?.status === "processing" ? "processing" : "pending",
          progress: clamp01(data.progress ?? 0),
          stage: data.stage ?? "queued",
          queuePosition: data.queue_position ?? null,
        };
      }
      if (response.status !== 200) throw await toError(response);
      let blob: Blob;
      try {
        blob = await readWithProgress(response, onDownload);
      } catch (error) {
        if (isAbortError(error)) throw error;
        // A download broken off midway is not a delivery: the server keeps the result for another try.
        throw new ApiError(0, "network_error", "The download of the result broke off.");
      }
      const faces = response.headers.get("X-Faces-Detected");
      const contentType = response.headers.get("Content-Type")?.split(";")[0]?.trim() || blob.type;
      return {
        status: "done",
        result: {
          blob,
          contentType,
          fileName: fileNameFromDisposition(response.headers.get("Content-Disposition")) ?? "blurred",
          facesDetected: faces !== null && /^\d+$/.test(faces) ? Number(faces) : null,
        },
      };
    },
  };
}

async function readEnvelope<T>(response: Response): Promise<Envelope<T> | null> {
  try {
    const value: unknown = await response.json();
    return value && typeof value === "object" ? (value as Envelope<T>) : null;
  } catch {
    return null;
  }
}

/** An error answer as an ApiError: the envelope's code and message, or the page's own words when there is none. */
export async function toError(response: Response): Promise<ApiError> {
  const envelope = await readEnvelope<unknown>(response);
  const details = envelope?.details ?? {};
  const header = Number(response.headers.get("Retry-After"));
  const fromDetails = Number(details.retry_after_seconds);
  const retryAfter =
    Number.isFinite(fromDetails) && fromDetails > 0
      ? fromDetails
      : Number.isFinite(header) && header > 0
        ? header
        : null;
  if (envelope?.status === "error" && typeof envelope.code === "string") {
    return new ApiError(response.status, envelope.code, envelope.message ?? "", details, retryAfter);
  }
  // No envelope: a proxy or a server that is starting or down answered.
  const code: ErrorCode =
    response.status === 429
      ? "rate_limited"
      : response.status === 413
        ? "payload_too_large"
        : response.status >= 500
          ? "service_unavailable"
          : "bad_response";
  return new ApiError(response.status, code, response.statusText, details, retryAfter);
}

/** The file name of a Content-Disposition header (RFC 6266: filename* wins over filename). */
export function fileNameFromDisposition(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall through to the plain name */
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/.exec(header);
  const name = plain?.[2] ?? plain?.[1];
  return name ? name.trim() : null;
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

export const api = createApiClient();
