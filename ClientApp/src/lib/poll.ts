import { ApiError, isAbortError, type ApiClient, type JobPoll, type JobResult } from "./api";
import type { OnTransfer } from "./transfer";

export interface PollOptions {
  signal?: AbortSignal;
  onUpdate?: (poll: Extract<JobPoll, { status: "pending" | "processing" }>) => void;
  /** The result's bytes as they arrive (its own stage: a large video takes a while). */
  onDownload?: OnTransfer;
  /** First delay between polls (ms); it grows by `factor` up to `maxDelay` while the job runs. */
  initialDelay?: number;
  factor?: number;
  maxDelay?: number;
  /** Delay cap after a transient failure (network, 503), and how many in a row end the polling. */
  maxErrorDelay?: number;
  maxConsecutiveErrors?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const transient = new Set(["network_error", "service_unavailable", "bad_response", "internal_error"]);

/**
 * Polls GET /results/{id} until the job is done (resolves with its bytes, downloaded once) or failed (rejects with the
 * server's ApiError). Waits grow while the job runs and after transient failures; an aborted signal stops the loop
 * between polls and during a request, and is never reported as a failure of the job.
 */
export async function pollJob(client: ApiClient, taskId: string, options: PollOptions = {}): Promise<JobResult> {
  const {
    signal,
    onUpdate,
    onDownload,
    initialDelay = 400,
    factor = 1.5,
    maxDelay = 2500,
    maxErrorDelay = 10_000,
    maxConsecutiveErrors = 8,
    sleep = abortableSleep,
  } = options;
  let delay = initialDelay;
  let errors = 0;
  for (;;) {
    signal?.throwIfAborted();
    let poll: JobPoll;
    try {
      poll = await client.getResult(taskId, signal, onDownload);
    } catch (error) {
      if (isAbortError(error) || signal?.aborted) throw error;
      if (error instanceof ApiError && transient.has(error.code) && ++errors < maxConsecutiveErrors) {
        await sleep(Math.min(maxErrorDelay, initialDelay * 2 ** errors), signal);
        continue;
      }
      throw error;
    }
    errors = 0;
    if (poll.status === "done") return poll.result;
    onUpdate?.(poll);
    await sleep(delay, signal);
    delay = Math.min(maxDelay, delay * factor);
  }
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
