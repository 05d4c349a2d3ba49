import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, isAbortError, type AnonymizeOptions, type ApiClient, type JobResult } from "@/lib/api";
import { dropOriginals, keepOriginals, newOriginalsKey } from "@/lib/originals";
import { pollJob } from "@/lib/poll";
import { RateMeter } from "@/lib/rate";
import type { RegionsDoc } from "@/lib/regions";
import { saveJob, setAddressTask, type SavedJob } from "@/lib/session";
import type { FileKind } from "@/lib/validation";

/** What to send: the files, how to hide, and (to re-render after a review) the regions with detect=false. */
export interface JobRequest {
  files: File[];
  kind: FileKind;
  options: AnonymizeOptions;
  regions?: string;
  detect?: boolean;
}

export type JobState =
  | { phase: "idle" }
  | { phase: "uploading"; loaded: number; total: number; speed: number | null; secondsLeft: number | null }
  | {
      phase: "processing";
      taskId: string;
      stage: string;
      progress: number;
      queuePosition: number | null;
      secondsLeft: number | null;
    }
  | { phase: "downloading"; taskId: string; loaded: number; total: number }
  | { phase: "done"; taskId: string; job: SavedJob; result: JobResult; regions: RegionsDoc | null }
  | { phase: "failed"; error: unknown; at: number }
  /** The result was served before this page (re)loaded: the server deleted it. */
  | { phase: "gone"; taskId: string; job: SavedJob | null; regions: RegionsDoc | null };

export type Busy = Extract<JobState, { phase: "uploading" | "processing" | "downloading" }>;

export function isBusy(state: JobState): state is Busy {
  return state.phase === "uploading" || state.phase === "processing" || state.phase === "downloading";
}

/** How often progress may re-render the page (upload events come many times a second). */
const frameMs = 150;

/**
 * One job at a time, from upload to result: the upload's bytes, speed and time left; the server's stage, progress and
 * queue position; the result's download as its own stage; then the regions the job hid. The task id goes into the
 * address and session storage as soon as the server accepts the upload, so a reload resumes it (`resume`); `cancel`
 * stops the page and deletes the job on the server.
 */
export function useJob(client: ApiClient) {
  const [state, setState] = useState<JobState>({ phase: "idle" });
  const run = useRef<{ controller: AbortController; job: SavedJob | null } | null>(null);
  const lastPaint = useRef(0);
  /** Where the files of the job this page follows are kept (a new job replaces them). */
  const kept = useRef<string | null>(null);

  useEffect(() => () => run.current?.controller.abort(), []);

  const trailing = useRef<{ timer: ReturnType<typeof setTimeout> | null; next: JobState | null }>({
    timer: null,
    next: null,
  });
  useEffect(() => () => clearTimeout(trailing.current.timer ?? undefined), []);

  /** Shows a state at once when forced or a frame has passed; otherwise the latest is shown when the frame ends. */
  const paint = useCallback((next: JobState, force = false) => {
    const slot = trailing.current;
    const now = performance.now();
    if (force || now - lastPaint.current >= frameMs) {
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = null;
      slot.next = null;
      lastPaint.current = now;
      setState(next);
      return;
    }
    slot.next = next;
    slot.timer ??= setTimeout(
      () => {
        slot.timer = null;
        if (!slot.next) return;
        lastPaint.current = performance.now();
        setState(slot.next);
        slot.next = null;
      },
      frameMs - (now - lastPaint.current),
    );
  }, []);

  /** Follows an accepted job to its end. */
  const follow = useCallback(
    async (job: SavedJob, controller: AbortController) => {
      const { taskId } = job;
      const signal = controller.signal;
      const meter = new RateMeter(8000);
      // The stage is unknown until the server first answers.
      paint({ phase: "processing", taskId, stage: "", progress: 0, queuePosition: null, secondsLeft: null }, true);
      try {
        const result = await pollJob(client, taskId, {
          signal,
          onUpdate: (p) => {
            meter.add(p.progress, performance.now());
            paint(
              {
                phase: "processing",
                taskId,
                stage: p.stage,
                progress: p.progress,
                queuePosition: p.queuePosition,
                secondsLeft: p.status === "processing" ? meter.secondsLeft(1) : null,
              },
              true,
            );
          },
          onDownload: ({ loaded, total }) =>
            paint({ phase: "downloading", taskId, loaded, total }, loaded === 0 || loaded === total),
        });
        const downloaded = { ...job, downloaded: true };
        saveJob(downloaded);
        const regions = await client.getRegions(taskId, signal).catch((e: unknown) => {
          if (isAbortError(e)) throw e;
          return null;
        });
        paint({ phase: "done", taskId, job: downloaded, result, regions }, true);
      } catch (error) {
        if (isAbortError(error) || signal.aborted) return;
        if (error instanceof ApiError && error.code === "result_gone") {
          const regions = await client.getRegions(taskId, signal).catch(() => null);
          paint({ phase: "gone", taskId, job, regions }, true);
          return;
        }
        forget(job);
        paint({ phase: "failed", error, at: Date.now() }, true);
      } finally {
        if (run.current?.controller === controller) run.current = null;
      }
    },
    [client, paint],
  );

  const start = useCallback(
    async (request: JobRequest) => {
      run.current?.controller.abort();
      const controller = new AbortController();
      const current: { controller: AbortController; job: SavedJob | null } = { controller, job: null };
      run.current = current;
      // The files are put away while they upload, so a reload right after the upload finds them.
      const originals = newOriginalsKey();
      void keepOriginals(originals, request.files);
      const meter = new RateMeter();
      const total = request.files.reduce((sum, f) => sum + f.size, 0);
      paint({ phase: "uploading", loaded: 0, total, speed: null, secondsLeft: null }, true);
      const extras = {
        signal: controller.signal,
        regions: request.regions,
        detect: request.detect,
        onUpload: ({ loaded, total: sent }: { loaded: number; total: number }) => {
          const all = sent || total;
          meter.add(loaded, performance.now());
          paint(
            { phase: "uploading", loaded, total: all, speed: meter.perSecond(), secondsLeft: meter.secondsLeft(all) },
            loaded >= all,
          );
        },
      };
      let taskId: string;
      try {
        const accepted =
          request.kind === "video"
            ? await client.uploadVideo(request.files[0] as File, request.options, extras)
            : await client.uploadImages(request.files, request.options, extras);
        taskId = accepted.task_id;
      } catch (error) {
        void dropOriginals(originals);
        if (isAbortError(error) || controller.signal.aborted) return;
        run.current = null;
        paint({ phase: "failed", error, at: Date.now() }, true);
        return;
      }
      const job: SavedJob = {
        taskId,
        kind: request.kind,
        names: request.files.map((f) => f.name),
        options: request.options,
        downloaded: false,
        originals,
      };
      current.job = job;
      saveJob(job);
      setAddressTask(taskId);
      if (kept.current && kept.current !== originals) void dropOriginals(kept.current);
      kept.current = originals;
      await follow(job, controller);
    },
    [client, follow, paint],
  );

  /** Picks up a job this tab followed before a reload (or one named in the address). */
  const resume = useCallback(
    (job: SavedJob) => {
      run.current?.controller.abort();
      const controller = new AbortController();
      run.current = { controller, job };
      kept.current = job.originals ?? null;
      void follow(job, controller);
    },
    [follow],
  );

  /** Stops following; a job the server accepted is deleted there (DELETE), so it does not keep working. */
  const cancel = useCallback(async () => {
    const current = run.current;
    run.current = null;
    current?.controller.abort();
    paint({ phase: "idle" }, true);
    if (current?.job) {
      forget(current.job);
      await client.cancel(current.job.taskId).catch(() => undefined);
    }
  }, [client, paint]);

  /** Leaves the job behind (start over): the page forgets it; the server deletes it when it expires. */
  const clear = useCallback(() => {
    run.current?.controller.abort();
    run.current = null;
    if (state.phase === "done" || state.phase === "gone") forget(state.job ?? { taskId: state.taskId });
    paint({ phase: "idle" }, true);
  }, [state, paint]);

  return { state, start, resume, cancel, clear };
}

/** The page lets go of a job: out of the address and session storage, its kept files deleted. */
function forget(job: Pick<SavedJob, "taskId" | "originals">): void {
  saveJob(null);
  setAddressTask(null);
  void dropOriginals(job.originals ?? job.taskId);
}
