// The person's own files, kept in this browser (IndexedDB) while their job lives, so that after a reload the page can
// still show the before/after, cut video pictures, and send the originals again with edited regions. Nothing here
// leaves the browser. Entries are deleted when the person starts over, and any older than the server keeps a job
// (an hour by default) are swept when the page opens.

const dbName = "faceblur";
const store = "originals";
export const keepOriginalsMs = 60 * 60 * 1000;

interface Entry {
  /** The key (named taskId in stores written by earlier versions of the page). */
  taskId: string;
  files: File[];
  savedAt: number;
}

function open(): Promise<IDBDatabase | null> {
  return new Promise((resolve) => {
    if (typeof indexedDB === "undefined") return resolve(null);
    try {
      const request = indexedDB.open(dbName, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(store, { keyPath: "taskId" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => resolve(null);
      request.onblocked = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
}

async function run<T>(mode: IDBTransactionMode, work: (s: IDBObjectStore) => IDBRequest<T>): Promise<T | null> {
  const db = await open();
  if (!db) return null;
  return new Promise((resolve) => {
    try {
      const tx = db.transaction(store, mode);
      const request = work(tx.objectStore(store));
      tx.oncomplete = () => {
        db.close();
        resolve(request.result ?? null);
      };
      tx.onerror = tx.onabort = () => {
        db.close();
        resolve(null);
      };
    } catch {
      db.close();
      resolve(null);
    }
  });
}

/** A key for a job's files, made before the upload starts (the task id comes only once the upload is accepted). */
export function newOriginalsKey(): string {
  return `o-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Keeps the files of a job (best effort: private windows or a full disk just keep nothing). */
export async function keepOriginals(key: string, files: File[]): Promise<void> {
  await run("readwrite", (s) => s.put({ taskId: key, files, savedAt: Date.now() } satisfies Entry));
}

export async function loadOriginals(key: string): Promise<File[] | null> {
  const entry = (await run("readonly", (s) => s.get(key) as IDBRequest<Entry | undefined>)) ?? null;
  return entry && Array.isArray(entry.files) ? entry.files : null;
}

export async function dropOriginals(key: string): Promise<void> {
  await run("readwrite", (s) => s.delete(key));
}

/** Deletes what is older than a job can live on the server (its task id is of no use any more). */
export async function sweepOriginals(now = Date.now()): Promise<void> {
  const entries = (await run("readonly", (s) => s.getAll() as IDBRequest<Entry[]>)) ?? [];
  await Promise.all(entries.filter((e) => now - e.savedAt > keepOriginalsMs).map((e) => dropOriginals(e.taskId)));
}
