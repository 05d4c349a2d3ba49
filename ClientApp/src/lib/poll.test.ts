import { describe, expect, it, vi } from "vitest";
import { ApiError, type ApiClient, type JobPoll } from "./api";
import { pollJob } from "./poll";

function clientAnswering(answers: (JobPoll | Error)[]): ApiClient & { calls: number } {
  const client = {
    calls: 0,
    getResult: vi.fn(async () => {
      client.calls++;
      const next = answers.shift();
      if (!next) throw new Error("polled too often");
      if (next instanceof Error) throw next;
      return next;
    }),
  };
  return client as unknown as ApiClient & { calls: number };
}

const pending = (progress: number, stage = "detecting"): JobPoll => ({
  status: "processing",
  progress,
  stage,
  queuePosition: null,
});
const done: JobPoll = {
  status: "done",
  result: { blob: new Blob(["x"]), contentType: "image/jpeg", fileName: "blurred_a.jpg", facesDetected: 1 },
};

describe("pollJob", () => {
  it("reports progress and backs off until the result, which it fetches once", async () => {
    const client = clientAnswering([pending(0, "queued"), pending(0.3), pending(0.6), pending(0.9), done]);
    const delays: number[] = [];
    const updates: number[] = [];
    const result = await pollJob(client, "t", {
      sleep: async (ms) => void delays.push(ms),
      onUpdate: (p) => updates.push(p.progress),
      initialDelay: 400,
      factor: 2,
      maxDelay: 2000,
    });
    expect(result.fileName).toBe("blurred_a.jpg");
    expect(updates).toEqual([0, 0.3, 0.6, 0.9]);
    expect(delays).toEqual([400, 800, 1600, 2000]);
    expect(client.calls).toBe(5);
  });

  it("rides out transient failures with growing waits, then gives up after too many in a row", async () => {
    const down = () => new ApiError(0, "network_error", "");
    const client = clientAnswering([down(), down(), pending(0.5), done]);
    const delays: number[] = [];
    await pollJob(client, "t", { sleep: async (ms) => void delays.push(ms), initialDelay: 100 });
    expect(delays).toEqual([200, 400, 100]);

    const never = clientAnswering([down(), down(), down()]);
    await expect(pollJob(never, "t", { sleep: async () => {}, maxConsecutiveErrors: 3 })).rejects.toMatchObject({
      code: "network_error",
    });
    expect(never.calls).toBe(3);
  });

  it("ends at once on the job's own failure, with the server's reason", async () => {
    const failed = new ApiError(422, "task_failed", "The job failed.", { reason: "a.jpg: truncated" });
    const client = clientAnswering([pending(0.1), failed]);
    await expect(pollJob(client, "t", { sleep: async () => {} })).rejects.toBe(failed);
  });

  it("stops when aborted, between polls and while waiting, without polling again", async () => {
    const client = clientAnswering([pending(0.1), pending(0.2), done]);
    const controller = new AbortController();
    const running = pollJob(client, "t", {
      signal: controller.signal,
      initialDelay: 10_000,
      onUpdate: () => controller.abort(),
    });
    await expect(running).rejects.toMatchObject({ name: "AbortError" });
    expect(client.calls).toBe(1);
  });
});
