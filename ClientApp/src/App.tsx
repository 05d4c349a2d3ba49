import { useCallback, useEffect, useRef, useState } from "react";
import { AlertCircle, EyeOff, Loader2, ShieldCheck, Trash2 } from "lucide-react";
import { api, isAbortError, type ApiClient } from "@/lib/api";
import { describeError } from "@/lib/errors";
import { prepareResult, revoke, type Prepared } from "@/lib/results";
import { validateSelection, videoDurationProblem, type FileKind } from "@/lib/validation";
import { useJobPolling } from "@/hooks/useJobPolling";
import { useServerStatus } from "@/hooks/useServerStatus";
import { useStoredOptions } from "@/hooks/useStoredOptions";
import { useTheme } from "@/hooks/useTheme";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { DropZone } from "@/components/DropZone";
import { JobProgress } from "@/components/JobProgress";
import { OptionsPanel } from "@/components/OptionsPanel";
import { ResultView } from "@/components/ResultView";
import { SiteFooter } from "@/components/SiteFooter";
import { SiteHeader } from "@/components/SiteHeader";

type Phase = "select" | "uploading" | "processing" | "done";

export default function App({ client = api }: { client?: ApiClient }) {
  const status = useServerStatus(client);
  const theme = useTheme();
  const { options, update, reset } = useStoredOptions();
  const { limits, refreshStats, refreshNow } = status;

  const [files, setFiles] = useState<File[]>([]);
  const [kind, setKind] = useState<FileKind | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [phase, setPhase] = useState<Phase>("select");
  const [taskId, setTaskId] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [prepared, setPrepared] = useState<Prepared | null>(null);
  const [retryAt, setRetryAt] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const upload = useRef<AbortController | null>(null);
  // The job's end: its result becomes blobs kept in the page; a failure shows the server's reason.
  const job = useJobPolling(phase === "processing" ? taskId : null, client, undefined, {
    onDone: (result) => {
      prepareResult(result, files, kind ?? "image").then(
        (p) => {
          setPrepared(p);
          setPhase("done");
          refreshStats();
          refreshNow();
        },
        (e: unknown) => {
          setError(e);
          setPhase("select");
        },
      );
    },
    onFailed: (e) => {
      setError(e);
      setPhase("select");
      setTaskId(null);
    },
  });

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
      setError(null);
    },
    [limits, files, kind],
  );

  const submit = async () => {
    if (!kind || files.length === 0) return;
    const controller = new AbortController();
    upload.current = controller;
    setPhase("uploading");
    setError(null);
    setProblems([]);
    try {
      const accepted =
        kind === "video"
          ? await client.uploadVideo(files[0] as File, options, controller.signal)
          : await client.uploadImages(files, options, controller.signal);
      setTaskId(accepted.task_id);
      setPhase("processing");
      refreshNow();
    } catch (e) {
      if (isAbortError(e)) return;
      const problem = describeError(e, limits);
      if (problem.retryAfterSeconds) setRetryAt(Date.now() + problem.retryAfterSeconds * 1000);
      setError(e);
      setPhase("select");
    } finally {
      upload.current = null;
    }
  };

  useEffect(() => {
    if (retryAt === null) return;
    const timer = setInterval(() => {
      setNow(Date.now());
      if (Date.now() >= retryAt) setRetryAt(null);
    }, 1000);
    return () => clearInterval(timer);
  }, [retryAt]);

  const cancel = () => {
    upload.current?.abort();
    setTaskId(null);
    setPhase("select");
  };

  const processMore = () => {
    revoke(prepared);
    setPrepared(null);
    setFiles([]);
    setKind(null);
    setTaskId(null);
    setError(null);
    setPhase("select");
  };

  const waitSeconds = retryAt ? Math.max(0, Math.ceil((retryAt - now) / 1000)) : 0;
  const problem = error ? describeError(error, limits) : null;
  const busy = phase === "uploading" || phase === "processing";

  return (
    <div className="flex min-h-dvh flex-col">
      <a
        href="#main"
        className="sr-only rounded-md bg-primary px-3 py-2 text-primary-foreground focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50"
      >
        Skip to content
      </a>
      <SiteHeader
        health={status.health}
        queue={status.queue}
        theme={theme.choice}
        dark={theme.dark}
        onCycleTheme={theme.cycle}
      />
      <main id="main" className="mx-auto flex w-full max-w-5xl flex-1 flex-col gap-6 px-4 py-8 sm:px-6 sm:py-10">
        <div className="flex flex-col gap-2">
          <h1 className="text-2xl font-bold tracking-tight text-balance sm:text-3xl">
            Hide faces in photos and videos
          </h1>
          <p className="flex items-center gap-2 text-muted-foreground">
            <ShieldCheck className="size-4 shrink-0 text-success" aria-hidden />
            Processed on this server; metadata is stripped and files are deleted once you download them.
          </p>
        </div>

        {!limits ? (
          status.limitsError ? (
            <Alert variant="destructive">
              <AlertCircle aria-hidden />
              <AlertTitle>{describeError(status.limitsError).title}</AlertTitle>
              <AlertDescription>{describeError(status.limitsError).description} Retrying…</AlertDescription>
            </Alert>
          ) : (
            <div className="flex items-center gap-2 text-muted-foreground" role="status">
              <Loader2 className="size-4 animate-spin" aria-hidden /> Loading…
            </div>
          )
        ) : phase === "done" && prepared ? (
          <ResultView result={prepared} onMore={processMore} />
        ) : (
          <div className="grid items-start gap-6 lg:grid-cols-[1fr_20rem]">
            <div className="flex min-w-0 flex-col gap-4">
              {busy ? (
                <JobProgress
                  stage={
                    phase === "uploading"
                      ? "uploading"
                      : job.status === "pending" || job.status === "processing"
                        ? job.stage
                        : "downloading"
                  }
                  progress={
                    phase === "uploading"
                      ? null
                      : job.status === "pending" || job.status === "processing"
                        ? job.progress
                        : 1
                  }
                  queuePosition={job.status === "pending" ? job.queuePosition : null}
                  onCancel={cancel}
                />
              ) : (
                <DropZone
                  limits={limits}
                  files={files}
                  kind={kind}
                  onFiles={(f) => void choose(f)}
                  onRemove={(i) => {
                    const rest = files.filter((_, j) => j !== i);
                    setFiles(rest);
                    if (rest.length === 0) setKind(null);
                  }}
                />
              )}
              {problems.length > 0 && (
                <Alert variant="warning" data-testid="selection-problems">
                  <AlertCircle aria-hidden />
                  <AlertTitle>Some files were not added</AlertTitle>
                  <AlertDescription>
                    <ul className="list-disc pl-4">
                      {problems.map((p) => (
                        <li key={p}>{p}</li>
                      ))}
                    </ul>
                  </AlertDescription>
                </Alert>
              )}
              {problem && (
                <Alert variant="destructive" data-testid="error">
                  <AlertCircle aria-hidden />
                  <AlertTitle>{problem.title}</AlertTitle>
                  <AlertDescription>
                    {problem.description}
                    {waitSeconds > 0 && (
                      <span className="block font-medium">You can try again in {waitSeconds} s.</span>
                    )}
                  </AlertDescription>
                </Alert>
              )}
              {!busy && (
                <div className="flex flex-wrap items-center gap-3">
                  <Button
                    size="lg"
                    onClick={() => void submit()}
                    disabled={files.length === 0 || waitSeconds > 0}
                    data-testid="submit"
                  >
                    <EyeOff aria-hidden />
                    {kind === "video"
                      ? "Hide faces in the video"
                      : files.length > 1
                        ? `Hide faces in ${files.length} photos`
                        : "Hide faces"}
                  </Button>
                  {files.length > 0 && (
                    <Button
                      variant="ghost"
                      onClick={() => {
                        setFiles([]);
                        setKind(null);
                        setProblems([]);
                        setError(null);
                      }}
                    >
                      <Trash2 aria-hidden /> Clear
                    </Button>
                  )}
                </div>
              )}
            </div>
            <OptionsPanel
              options={options}
              modes={limits.modes}
              shapes={limits.shapes}
              disabled={busy}
              onChange={update}
              onReset={reset}
            />
          </div>
        )}
      </main>
      <SiteFooter stats={status.stats} />
    </div>
  );
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
