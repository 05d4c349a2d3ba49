import { useCallback, useEffect, useRef, useState } from "react";
import { prepareResult, revoke, type Prepared } from "@/lib/results";
import type { JobState } from "./useJob";

/**
 * The result (served once, downloaded once) as what the page shows: object URLs paired with the originals. `onReady`
 * runs once per result; `drop` frees the URLs when the page moves on.
 */
export function usePreparedResult(state: JobState, files: File[], onReady: (prepared: Prepared) => void) {
  const [prepared, setPrepared] = useState<{ taskId: string; value: Prepared } | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Read when a result arrives, not a reason to prepare it again.
  const latest = useRef({ files, onReady });
  useEffect(() => {
    latest.current = { files, onReady };
  });

  useEffect(() => {
    if (state.phase !== "done") return;
    let stopped = false;
    const kind = state.result.contentType.startsWith("video/") ? "video" : "image";
    prepareResult(state.result, latest.current.files, state.job.names, kind).then(
      (value) => {
        if (stopped) return revoke(value);
        setPrepared((old) => {
          revoke(old?.value ?? null);
          return { taskId: state.taskId, value };
        });
        setError(null);
        latest.current.onReady(value);
      },
      (e: unknown) => !stopped && setError(e),
    );
    return () => {
      stopped = true;
    };
  }, [state]);

  const drop = useCallback(() => {
    setPrepared((old) => {
      revoke(old?.value ?? null);
      return null;
    });
    setError(null);
  }, []);

  const shown = state.phase === "done" && prepared?.taskId === state.taskId ? prepared.value : null;
  return { shown, error, drop };
}
