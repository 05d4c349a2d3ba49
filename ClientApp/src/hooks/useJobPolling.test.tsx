import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, type ApiClient, type JobPoll } from "@/lib/api";
import { useJobPolling } from "./useJobPolling";

const processing = (progress: number): JobPoll => ({
  status: "processing",
  progress,
  stage: "detecting",
  queuePosition: null,
});
const done: JobPoll = {
  status: "done",
  result: { blob: new Blob(["x"]), contentType: "image/png", fileName: "blurred_a.png", facesDetected: 2 },
};

function fakeClient(script: Record<string, (JobPoll | Error)[]>) {
  const calls: string[] = [];
  const getResult = vi.fn(async (id: string, signal?: AbortSignal) => {
    calls.push(id);
    signal?.throwIfAborted();
    const next = script[id]?.shift();
    if (!next) return processing(0.99);
    if (next instanceof Error) throw next;
    return next;
  });
  return { client: { getResult } as unknown as ApiClient, calls };
}

describe("useJobPolling", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("is idle without a task, then follows the job to its result and calls onDone once", async () => {
    const { client, calls } = fakeClient({ t1: [processing(0.25), processing(0.75), done] });
    const onDone = vi.fn();
    const { result, rerender } = renderHook(({ id }) => useJobPolling(id, client, undefined, { onDone }), {
      initialProps: { id: null as string | null },
    });
    expect(result.current.status).toBe("idle");

    rerender({ id: "t1" });
    await act(async () => {});
    expect(result.current).toMatchObject({ status: "processing", progress: 0.25 });
    await act(async () => vi.advanceTimersByTimeAsync(400));
    expect(result.current).toMatchObject({ status: "processing", progress: 0.75 });
    await act(async () => vi.advanceTimersByTimeAsync(600));
    expect(result.current.status).toBe("done");
    expect(onDone).toHaveBeenCalledTimes(1);
    await act(async () => vi.advanceTimersByTimeAsync(10_000));
    expect(calls).toEqual(["t1", "t1", "t1"]);
  });

  it("reports the server's failure", async () => {
    const failed = new ApiError(422, "task_failed", "The job failed.", { reason: "broken" });
    const { client } = fakeClient({ t: [failed] });
    const onFailed = vi.fn();
    const { result } = renderHook(() => useJobPolling("t", client, undefined, { onFailed }));
    await act(async () => {});
    expect(result.current.status).toBe("failed");
    expect(onFailed).toHaveBeenCalledWith(failed);
  });

  it("stops polling when the task is cleared or the component unmounts", async () => {
    const { client, calls } = fakeClient({ a: [processing(0.1)], b: [processing(0.2)] });
    const onDone = vi.fn();
    const { result, rerender, unmount } = renderHook(({ id }) => useJobPolling(id, client, undefined, { onDone }), {
      initialProps: { id: "a" as string | null },
    });
    await act(async () => {});
    rerender({ id: null });
    expect(result.current.status).toBe("idle");
    await act(async () => vi.advanceTimersByTimeAsync(30_000));
    expect(calls).toEqual(["a"]);

    rerender({ id: "b" });
    await act(async () => {});
    unmount();
    await act(async () => vi.advanceTimersByTimeAsync(30_000));
    expect(calls).toEqual(["a", "b"]);
    expect(onDone).not.toHaveBeenCalled();
  });
});
