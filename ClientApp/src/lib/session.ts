// The job this tab follows, kept in the address (?task=<id>, so a reload or a bookmark finds it) and in session
// storage (what the page knows of it: what kind, and whether this page already downloaded the result, which the
// server then deleted).

import type { AnonymizeOptions } from "./api";
import type { FileKind } from "./validation";

export interface SavedJob {
  taskId: string;
  kind: FileKind;
  /** The original file names, in upload order. */
  names: string[];
  options: AnonymizeOptions;
  /** True once this page downloaded the result: the server served it once and deleted it. */
  downloaded: boolean;
  /** Where the browser keeps the person's files for this job (see originals.ts), if it does. */
  originals?: string;
}

const key = "faceblur.job";
const param = "task";
const idPattern = /^[A-Za-z0-9_-]{1,100}$/;

/** The task id in the address, if it looks like one. */
export function taskFromAddress(search: string = location.search): string | null {
  const id = new URLSearchParams(search).get(param);
  return id && idPattern.test(id) ? id : null;
}

/** Puts the task id in the address (or takes it out) without a new history entry. */
export function setAddressTask(taskId: string | null): void {
  const url = new URL(location.href);
  if (taskId) url.searchParams.set(param, taskId);
  else url.searchParams.delete(param);
  if (url.href !== location.href) history.replaceState(history.state, "", url);
}

export function loadJob(storage: Storage | null = sessionStore()): SavedJob | null {
  try {
    const raw = storage?.getItem(key);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<SavedJob>;
    if (typeof value.taskId !== "string" || !idPattern.test(value.taskId)) return null;
    if (value.kind !== "image" && value.kind !== "video") return null;
    return {
      taskId: value.taskId,
      kind: value.kind,
      names: Array.isArray(value.names) ? value.names.filter((n) => typeof n === "string") : [],
      options: value.options as AnonymizeOptions,
      downloaded: value.downloaded === true,
      originals: typeof value.originals === "string" ? value.originals : undefined,
    };
  } catch {
    return null;
  }
}

export function saveJob(job: SavedJob | null, storage: Storage | null = sessionStore()): void {
  try {
    if (job) storage?.setItem(key, JSON.stringify(job));
    else storage?.removeItem(key);
  } catch {
    /* storage disabled or full: the address still holds the task id */
  }
}

/**
 * The job to resume on load: the address wins (a shared or bookmarked link); what session storage knows of it is used
 * when it is the same job.
 */
export function jobToResume(
  search: string,
  storage: Storage | null = sessionStore(),
): SavedJob | { taskId: string } | null {
  const fromAddress = taskFromAddress(search);
  const saved = loadJob(storage);
  if (fromAddress) return saved?.taskId === fromAddress ? saved : { taskId: fromAddress };
  return saved;
}

function sessionStore(): Storage | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    return null;
  }
}
