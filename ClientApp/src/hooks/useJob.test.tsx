import { act, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, type ApiClient, type JobPoll, type UploadExtras } from "@/lib/api";
import { loadJob } from "@/lib/session";
import { useJob } from "./useJob";

const options = { mode: "blur" as const, shape: "ellipse" as const, padding: 0.2, strength: 50 };
const photo = new File(["x".repeat(1000)], "a.jpg", { type: "image/jpeg" });
const doc = { kind: "images" as const, files: [] };

/**
 * A client that plays the server's part from a script: the upload reports its bytes and is accepted as "t1", polls
 * answer in order, the result's bytes arrive with progress. What the page asked is recorded.
 */
function scriptedClient(polls: (JobPoll | Error)[]) {
  const calls: string[] = [];
  let release: () => void = () => undefined;
  const client = {
    uploadImages: vi.fn(async (_files: File[], _o: unknown, extras?: UploadExtras) => {
      calls.push("upload");
      extras?.onUpload?.({ loaded: 500, total: 1000 });
      await new Promise<void>((resolve) => (release = resolve));
      extras?.signal?.throwIfAborted();
      extras?.onUpload?.({ loaded: 1000, total: 1000 });
      return { task_id: "t1", kind: "images" as const };
    }),
    getResult: vi.fn(
      async (id: string, signal?: AbortSignal, onDownload?: (p: { loaded: number; total: number }) => void) => {
        calls.push(`poll ${id}`);
        signal?.throwIfAborted();
        const next = polls.shift() ?? { status: "processing", progress: 0.5, stage: "detecting", queuePosition: null };
        if (next instanceof Error) throw next;
        if (next.status === "done") onDownload?.({ loaded: 4, total: 4 });
        return next;
      },
    ),
    getRegions: vi.fn(async () => doc),
    cancel: vi.fn(async (id: string) => void calls.push(`cancel ${id}`)),
  };
  return { client: client as unknown as ApiClient, calls, upload: () => release() };
}

const done: JobPoll = {
  status: "done",
  result: { blob: new Blob(["JPEG"]), contentType: "image/jpeg", fileName: "blurred_a.jpg", facesDetected: 2 },
};

describe("useJob", () => {
  afterEach(() => {
    sessionStorage.clear();
    history.replaceState(null, "", "/");
  });

  it("goes from upload (with bytes) through processing and the download to the result and its regions", async () => {
    const { client, upload } = scriptedClient([
      { status: "processing", progress: 0.4, stage: "detecting", queuePosition: null },
      done,
    ]);
    const { result } = renderHook(() => useJob(client));
    act(() => void result.current.start({ files: [photo], kind: "image", options }));
    await waitFor(() => expect(result.current.state).toMatchObject({ phase: "uploading", loaded: 500, total: 1000 }));
    act(() => upload());
    await waitFor(() => expect(result.current.state.phase).toBe("done"), { timeout: 5000 });
    expect(result.current.state).toMatchObject({ taskId: "t1", regions: doc, job: { downloaded: true } });
    // The task is in the address and in session storage, marked as downloaded (the server deleted it).
    expect(location.search).toBe("?task=t1");
    expect(loadJob()).toMatchObject({ taskId: "t1", names: ["a.jpg"], downloaded: true });
  });

  it("cancels: the upload stops and a job the server accepted is deleted there", async () => {
    const { client, calls, upload } = scriptedClient([]);
    const { result } = renderHook(() => useJob(client));
    act(() => void result.current.start({ files: [photo], kind: "image", options }));
    act(() => upload());
    await waitFor(() => expect(result.current.state.phase).toBe("processing"));
    await act(() => result.current.cancel());
    expect(result.current.state.phase).toBe("idle");
    expect(calls).toContain("cancel t1");
    expect(location.search).toBe("");
    expect(loadJob()).toBeNull();
  });

  it("resumes a job after a reload, and says when the server already deleted its result", async () => {
    const { client, calls } = scriptedClient([new ApiError(410, "result_gone", "gone")]);
    const { result } = renderHook(() => useJob(client));
    const job = { taskId: "t9", kind: "image" as const, names: ["a.jpg"], options, downloaded: true };
    act(() => result.current.resume(job));
    await waitFor(() => expect(result.current.state.phase).toBe("gone"));
    expect(result.current.state).toMatchObject({ taskId: "t9", job, regions: doc });
    expect(calls).toEqual(["poll t9"]);
  });

  it("reports a failed job and forgets it", async () => {
    const { client, upload } = scriptedClient([new ApiError(422, "task_failed", "failed", { reason: "broken" })]);
    const { result } = renderHook(() => useJob(client));
    act(() => void result.current.start({ files: [photo], kind: "image", options }));
    act(() => upload());
    await waitFor(() => expect(result.current.state.phase).toBe("failed"));
    expect(result.current.state).toMatchObject({ error: { code: "task_failed" } });
    expect(loadJob()).toBeNull();
  });
});
