import { useCallback, useState } from "react";
import type { Limits } from "@/lib/api";
import { validateSelection, videoDurationProblem, type FileKind } from "@/lib/validation";

/** The files chosen for the next job, checked against the server's limits as they come in. */
export function useSelection(limits: Limits | null) {
  const [files, setFiles] = useState<File[]>([]);
  const [kind, setKind] = useState<FileKind | null>(null);
  const [problems, setProblems] = useState<string[]>([]);

  const choose = useCallback(
    async (incoming: File[]) => {
      if (!limits) return;
      const selection = validateSelection(incoming, limits, kind === "image" ? files : []);
      const found = [...selection.problems];
      if (selection.kind === "video" && selection.files[0]) {
        const problem = videoDurationProblem(await readDuration(selection.files[0]), limits);
        if (problem) {
          found.push(problem);
          selection.files = [];
          selection.kind = kind === "image" ? "image" : null;
        }
      }
      if (selection.files.length > 0) {
        setFiles(selection.files);
        setKind(selection.kind);
      }
      setProblems(found);
    },
    [limits, files, kind],
  );

  const remove = useCallback((index: number) => {
    setFiles((current) => {
      const rest = current.filter((_, j) => j !== index);
      if (rest.length === 0) setKind(null);
      return rest;
    });
  }, []);

  /** Puts back files the page kept (after a reload). */
  const restore = useCallback((restored: File[], restoredKind: FileKind) => {
    setFiles(restored);
    setKind(restored.length > 0 ? restoredKind : null);
    setProblems([]);
  }, []);

  const clear = useCallback(() => {
    setFiles([]);
    setKind(null);
    setProblems([]);
  }, []);

  return { files, kind, problems, choose, remove, restore, clear, clearProblems: () => setProblems([]) };
}

/** A video's duration in seconds as the browser reads it (NaN when it cannot; the server checks anyway). */
function readDuration(file: File): Promise<number> {
  return new Promise((resolve) => {
    if (typeof document === "undefined" || typeof URL.createObjectURL !== "function") return resolve(Number.NaN);
    const video = document.createElement("video");
    const url = URL.createObjectURL(file);
    const done = (value: number) => {
      clearTimeout(timer);
      URL.revokeObjectURL(url);
      resolve(value);
    };
    const timer = setTimeout(() => done(Number.NaN), 3000);
    video.preload = "metadata";
    video.onloadedmetadata = () => done(video.duration);
    video.onerror = () => done(Number.NaN);
    video.src = url;
  });
}
