import { describe, expect, it, vi } from "vitest";
import { ScriptedXhr } from "@/test/xhr";
import { ApiError, createApiClient, fileNameFromDisposition, type AnonymizeOptions } from "./api";

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

const limits = {
  image_extensions: ["jpg", "png"],
  video_extensions: ["mp4"],
  max_upload_mb: 25,
  max_upload_files: 10,
  max_video_mb: 200,
  max_video_seconds: 300,
  modes: ["blur", "pixelate", "solid"],
  shapes: ["ellipse", "rect"],
};
const options: AnonymizeOptions = { mode: "pixelate", shape: "rect", padding: 0.35, strength: 42.4 };

describe("api client", () => {
  it("reads the limits from the envelope", async () => {
    const fetch = vi.fn(async () => json(200, { status: "ok", message: "", data: limits }));
    const client = createApiClient("http://host", fetch);
    await expect(client.getLimits()).resolves.toEqual(limits);
    expect(fetch).toHaveBeenCalledWith("http://host/limits", expect.objectContaining({ credentials: "same-origin" }));
  });

  it("uploads images as multipart `files` with the options as form fields, reporting the bytes sent", async () => {
    const xhr = new ScriptedXhr(
      { status: 202, body: { status: "queued", data: { task_id: "abc", kind: "images", files: 2 } } },
      [
        [10, 40],
        [40, 40],
      ],
    );
    const client = createApiClient("", vi.fn(), () => xhr);
    const files = [new File(["a"], "a.jpg"), new File(["b"], "b.png")];
    const sent: number[] = [];
    await expect(client.uploadImages(files, options, { onUpload: (p) => sent.push(p.loaded) })).resolves.toEqual({
      task_id: "abc",
      kind: "images",
      files: 2,
    });
    expect(sent).toEqual([10, 40]);
    expect([xhr.method, xhr.url, xhr.withCredentials]).toEqual(["POST", "/blur", true]);
    const body = xhr.body!;
    expect(body.getAll("files").map((f) => (f as File).name)).toEqual(["a.jpg", "b.png"]);
    expect(Object.fromEntries(["mode", "shape", "padding", "strength"].map((k) => [k, body.get(k)]))).toEqual({
      mode: "pixelate",
      shape: "rect",
      padding: "0.35",
      strength: "42",
    });
    expect(body.has("detect")).toBe(false);
    expect(body.has("regions")).toBe(false);
  });

  it("sends the edited regions with detect=false when asked", async () => {
    const xhr = new ScriptedXhr({ status: 202, body: { status: "queued", data: { task_id: "r", kind: "images" } } });
    const regions = JSON.stringify({ kind: "images", files: [] });
    await createApiClient("", vi.fn(), () => xhr).uploadImages([new File(["a"], "a.jpg")], options, {
      regions,
      detect: false,
    });
    expect(xhr.body!.get("detect")).toBe("false");
    expect(xhr.body!.get("regions")).toBe(regions);
  });

  it("uploads a video as the `file` field to /blur/video", async () => {
    const xhr = new ScriptedXhr({ status: 202, body: { status: "queued", data: { task_id: "v1", kind: "video" } } });
    await createApiClient("", vi.fn(), () => xhr).uploadVideo(new File(["v"], "clip.mp4"), options);
    expect(xhr.url).toBe("/blur/video");
    expect((xhr.body!.get("file") as File).name).toBe("clip.mp4");
  });

  it("turns an error envelope into an ApiError with code, message, details and the rate limit's wait", async () => {
    const xhr = new ScriptedXhr({
      status: 429,
      body: {
        status: "error",
        code: "rate_limited",
        message: "Too many uploads; try again in 17 s.",
        details: { retry_after_seconds: 17 },
      },
      headers: { "Retry-After": "17" },
    });
    const error = await createApiClient("", vi.fn(), () => xhr)
      .uploadImages([new File(["a"], "a.jpg")], options)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 429, code: "rate_limited", retryAfterSeconds: 17 });
  });

  it("reports a broken upload as network_error and an aborted one as an AbortError", async () => {
    const broken = createApiClient("", vi.fn(), () => new ScriptedXhr("fail"));
    await expect(broken.uploadImages([new File(["a"], "a.jpg")], options)).rejects.toMatchObject({
      code: "network_error",
    });
    const controller = new AbortController();
    const hanging = createApiClient("", vi.fn(), () => new ScriptedXhr("hang"));
    const upload = hanging.uploadVideo(new File(["v"], "v.mp4"), options, { signal: controller.signal });
    controller.abort();
    await expect(upload).rejects.toMatchObject({ name: "AbortError" });
    expect(ScriptedXhr.last?.aborted).toBe(true);
  });

  it("uses Retry-After when the body has no wait", async () => {
    const fetch = vi.fn(async () => new Response("busy", { status: 429, headers: { "Retry-After": "9" } }));
    const error = await createApiClient("", fetch)
      .getQueue()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "rate_limited", retryAfterSeconds: 9 });
  });

  it("reports a server that cannot be reached as network_error and an answer without envelope by status", async () => {
    const down = createApiClient(
      "",
      vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))),
    );
    await expect(down.getLimits()).rejects.toMatchObject({ code: "network_error", status: 0 });
    const proxy = createApiClient(
      "",
      vi.fn(async () => new Response("<html>Bad gateway</html>", { status: 502 })),
    );
    await expect(proxy.getLimits()).rejects.toMatchObject({ code: "service_unavailable", status: 502 });
  });

  it("lets an abort through as an AbortError, not as a network failure", async () => {
    const client = createApiClient(
      "",
      vi.fn(async () => Promise.reject(new DOMException("aborted", "AbortError"))),
    );
    await expect(client.getLimits()).rejects.toMatchObject({ name: "AbortError" });
  });

  it("polls: 202 is progress, 200 is the bytes with faces and file name, 422 carries the reason", async () => {
    const answers = [
      json(202, { status: "pending", data: { progress: 0, stage: "queued", queue_position: 3 } }),
      json(202, { status: "processing", data: { progress: 0.5, stage: "detecting" } }),
      new Response("JPEG", {
        status: 200,
        headers: {
          "Content-Type": "image/jpeg",
          "X-Faces-Detected": "4",
          "Content-Disposition": "attachment; filename=blurred_a.jpg; filename*=UTF-8''blurred_%C3%A9t%C3%A9.jpg",
        },
      }),
      json(422, {
        status: "error",
        code: "task_failed",
        message: "The job failed.",
        details: { reason: "x.jpg: truncated" },
      }),
    ];
    const client = createApiClient(
      "",
      vi.fn(async () => answers.shift()!),
    );
    await expect(client.getResult("t")).resolves.toEqual({
      status: "pending",
      progress: 0,
      stage: "queued",
      queuePosition: 3,
    });
    await expect(client.getResult("t")).resolves.toEqual({
      status: "processing",
      progress: 0.5,
      stage: "detecting",
      queuePosition: null,
    });
    const done = await client.getResult("t");
    expect(done.status).toBe("done");
    if (done.status !== "done") return;
    expect(done.result).toMatchObject({ contentType: "image/jpeg", fileName: "blurred_été.jpg", facesDetected: 4 });
    expect(await done.result.blob.text()).toBe("JPEG");
    const failed = await client.getResult("t").catch((e: unknown) => e);
    expect(failed).toMatchObject({ code: "task_failed", reason: "x.jpg: truncated" });
  });

  it("tolerates a server without /stats (404) and reads /health's 503 as not ok", async () => {
    const fetch = vi.fn(async (url: string) =>
      url === "/stats"
        ? json(404, { status: "error", code: "not_found", message: "", details: {} })
        : json(503, { status: "error", message: "Unavailable: queue.", data: { checks: { queue: "down" } } }),
    );
    const client = createApiClient("", fetch);
    await expect(client.getStats()).resolves.toBeNull();
    await expect(client.getHealth()).resolves.toEqual({
      ok: false,
      checks: { queue: "down" },
      message: "Unavailable: queue.",
    });
  });

  it("reads the regions (202 while pending) and cancels with DELETE, a 404 counting as already gone", async () => {
    const doc = { kind: "images", files: [{ index: 0, name: "a.jpg", width: 10, height: 8, regions: [] }] };
    const answers = [json(202, { status: "processing", data: {} }), json(200, { status: "ok", data: doc })];
    const calls: [string, string | undefined][] = [];
    const client = createApiClient("", async (url, init) => {
      calls.push([url, init?.method]);
      return init?.method === "DELETE"
        ? new Response(null, { status: calls.length > 3 ? 404 : 204 })
        : answers.shift()!;
    });
    await expect(client.getRegions("t")).resolves.toBeNull();
    await expect(client.getRegions("t")).resolves.toEqual(doc);
    await client.cancel("t");
    await client.cancel("t");
    expect(calls).toEqual([
      ["/results/t/regions", undefined],
      ["/results/t/regions", undefined],
      ["/results/t", "DELETE"],
      ["/results/t", "DELETE"],
    ]);
  });

  it("reports the result's bytes as they arrive", async () => {
    const parts = [new Uint8Array(3), new Uint8Array(5)];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = parts.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const response = new Response(body, {
      status: 200,
      headers: { "Content-Type": "image/png", "Content-Length": "8", "X-Faces-Detected": "1" },
    });
    const seen: string[] = [];
    const poll = await createApiClient("", async () => response).getResult("t", undefined, (p) =>
      seen.push(`${p.loaded}/${p.total}`),
    );
    expect(seen).toEqual(["0/8", "3/8", "8/8"]);
    expect(poll.status === "done" && poll.result.blob.size).toBe(8);
  });

  it("reads file names from Content-Disposition", () => {
    expect(fileNameFromDisposition('attachment; filename="blurred_images.zip"')).toBe("blurred_images.zip");
    expect(fileNameFromDisposition("attachment; filename=a.jpg; filename*=UTF-8''b%20c.jpg")).toBe("b c.jpg");
    expect(fileNameFromDisposition(null)).toBeNull();
  });
});
