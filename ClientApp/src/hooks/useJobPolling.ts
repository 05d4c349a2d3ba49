import { useEffect, useRef, useState } from "react";
import { api as defaultApi, isAbortError, type ApiClient, type JobResult } from "@/lib/api";
import { pollJob, type PollOptions } from "@/lib/poll";

export type JobView =
  | { status: "idle" }
  | { status: "pending" | "processing"; progress: number; stage: string; queuePosition: number | null }
  | { status: "done"; result: JobResult }
  | { status: "failed"; error: unknown };

/**
 * Follows one job from its task id to its result. Changing or clearing the id (or unmounting) aborts the polling, so
 * nothing from an old job ever lands in the page; the result's bytes are fetched once and kept as a blob.
 */
export interface JobHandlers {
  onDone?: (result: JobResult) => void;
  onFailed?: (error: unknown) => void;
}

export function useJobPolling(
  taskId: string | null,
  client: ApiClient = defaultApi,
  options?: Omit<PollOptions, "signal" | "onUpdate">,
  handlers?: JobHandlers,
): JobView {
  const [view, setView] = useState<{ taskId: string | null; view: JobView }>({
    taskId: null,
    view: { status: "idle" },
  });
  // The latest handlers, called when the job ends (they may close over newer state than the effect's first run).
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });

  useEffect(() => {
    if (!taskId) return;
    const controller = new AbortController();
    const set = (next: JobView) => {
      if (!controller.signal.aborted) setView({ taskId, view: next });
    };
    pollJob(client, taskId, {
      ...options,
      signal: controller.signal,
      onUpdate: (p) => set({ status: p.status, progress: p.progress, stage: p.stage, queuePosition: p.queuePosition }),
    }).then(
      (result) => {
        if (controller.signal.aborted) return;
        set({ status: "done", result });
        latest.current?.onDone?.(result);
      },
      (error: unknown) => {
        if (isAbortError(error) || controller.signal.aborted) return;
        set({ status: "failed", error });
        latest.current?.onFailed?.(error);
      },
    );
    return () => controller.abort();
    // The options object is read once per job; a new object on every render must not restart the polling.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [taskId, client]);

  if (!taskId) return { status: "idle" };
  return view.taskId === taskId ? view.view : { status: "pending", progress: 0, stage: "queued", queuePosition: null };
}
