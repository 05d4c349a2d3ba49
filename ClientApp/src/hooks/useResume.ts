import { useEffect } from "react";
import type { AnonymizeOptions } from "@/lib/api";
import { loadOriginals, sweepOriginals } from "@/lib/originals";
import { jobToResume, type SavedJob } from "@/lib/session";
import type { FileKind } from "@/lib/validation";

/**
 * On load, picks up the job this tab followed before a reload (or the one named in the address), with the person's
 * files when the browser kept them; old kept files are swept first.
 */
export function useResume(
  resume: (job: SavedJob) => void,
  restore: (files: File[], kind: FileKind) => void,
  options: AnonymizeOptions,
): void {
  useEffect(() => {
    void sweepOriginals();
    const found = jobToResume(location.search);
    if (!found) return;
    const known = "kind" in found ? found : null;
    let stopped = false;
    void loadOriginals(known?.originals ?? found.taskId).then((kept) => {
      if (stopped) return;
      const video = kept?.[0]?.type.startsWith("video/") ?? false;
      if (kept) restore(kept, known?.kind ?? (video ? "video" : "image"));
      resume(
        known ?? {
          taskId: found.taskId,
          kind: video ? "video" : "image",
          names: kept?.map((f) => f.name) ?? [],
          options,
          downloaded: false,
        },
      );
    });
    return () => {
      stopped = true;
    };
    // Once, on load.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
}
