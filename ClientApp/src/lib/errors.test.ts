import { describe, expect, it } from "vitest";
import { ApiError, type Limits } from "./api";
import { describeError } from "./errors";

const limits = {
  image_extensions: ["jpg", "png"],
  video_extensions: ["mp4"],
  max_upload_mb: 25,
  max_upload_files: 10,
  max_video_mb: 200,
  max_video_seconds: 300,
  modes: ["blur"],
  shapes: ["ellipse"],
} as Limits;

describe("describeError", () => {
  it("says how long to wait on a rate limit", () => {
    const p = describeError(new ApiError(429, "rate_limited", "", {}, 42), limits);
    expect(p.description).toContain("wait 42 seconds");
    expect(p.retryAfterSeconds).toBe(42);
  });

  it("names the limits for too large and unsupported files", () => {
    expect(describeError(new ApiError(413, "payload_too_large", ""), limits).description).toBe(
      "Photos can be up to 25 MB each and a video up to 200 MB.",
    );
    expect(describeError(new ApiError(415, "unsupported_media_type", ""), limits).description).toContain(
      "photos (jpg or png) and videos (mp4)",
    );
    expect(describeError(new ApiError(400, "media_too_long", ""), limits).description).toBe(
      "Videos can be up to 5 minutes long.",
    );
  });

  it("shows the server's reason for a failed job, and plain words for a server that is down", () => {
    expect(describeError(new ApiError(422, "task_failed", "", { reason: "a.jpg: truncated" })).description).toBe(
      "a.jpg: truncated",
    );
    expect(describeError(new ApiError(0, "network_error", "")).title).toBe("Cannot reach the server");
    expect(describeError(new ApiError(503, "service_unavailable", "")).title).toBe("The service is unavailable");
  });
});
