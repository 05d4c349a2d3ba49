import { ApiError, type Limits } from "./api";
import { formatDuration, formatMb, listWords } from "./format";

export interface Problem {
  title: string;
  description: string;
  /** Seconds until trying again makes sense (rate limit). */
  retryAfterSeconds?: number;
}

/** An error from the API (or the network) in words a person understands. */
export function describeError(error: unknown, limits?: Limits | null): Problem {
  if (!(error instanceof ApiError)) {
    return {
      title: "Something went wrong",
      description: "An unexpected error happened in the page. Please try again.",
    };
  }
  switch (error.code) {
    case "rate_limited": {
      const wait = error.retryAfterSeconds ?? 60;
      return {
        title: "Too many uploads for now",
        description: `This server limits how often one person can upload. Please wait ${formatDuration(wait)} and try again.`,
        retryAfterSeconds: wait,
      };
    }
    case "payload_too_large":
      return {
        title: "That is too large",
        description: limits
          ? `Photos can be up to ${formatMb(limits.max_upload_mb)} each and a video up to ${formatMb(limits.max_video_mb)}.`
          : "The upload is larger than this server accepts.",
      };
    case "unsupported_media_type":
      return {
        title: "Unsupported file",
        description:
          (limits
            ? `FaceBlur could not read this file. It accepts photos (${listWords(limits.image_extensions)}) and videos (${listWords(limits.video_extensions)}).`
            : "FaceBlur could not read this as a photo or video.") + serverSays(error),
      };
    case "media_too_long":
      return {
        title: "The video is too long",
        description: limits
          ? `Videos can be up to ${formatDuration(limits.max_video_seconds)} long.`
          : error.message || "The video is longer than this server accepts.",
      };
    case "media_too_large":
      return {
        title: "The picture is too big",
        description: error.message || "It has more pixels than this server accepts.",
      };
    case "validation_error":
      return {
        title: "Something in the request is not right",
        description: error.message || "Please check the options.",
      };
    case "task_failed":
      return {
        title: "Processing failed",
        description: error.reason ?? "The server could not process this file.",
      };
    case "result_gone":
      return {
        title: "The result was already downloaded",
        description: "Results are deleted from the server once downloaded. Please process the files again.",
      };
    case "task_not_found":
      return {
        title: "The job has expired",
        description: "The server no longer knows this job (it expired or the server restarted). Please upload again.",
      };
    case "service_unavailable":
      return {
        title: "The service is unavailable",
        description:
          "FaceBlur cannot take work right now (a part of it is down or restarting). Please try again in a minute.",
      };
    case "network_error":
      return {
        title: "Cannot reach the server",
        description: "The FaceBlur server is not answering. Check your connection, or that the server is running.",
      };
    case "internal_error":
      return {
        title: "Something went wrong on the server",
        description: "Please try again; if it keeps happening, tell the person who runs this server.",
      };
    default:
      return { title: "Something went wrong", description: error.message || `The server answered ${error.status}.` };
  }
}

function serverSays(error: ApiError): string {
  return error.message ? ` The server said: “${error.message}”` : "";
}
