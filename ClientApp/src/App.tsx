import { useCallback, useEffect, useRef, useState } from "react";
import { AlertCircle, Loader2, ShieldCheck } from "lucide-react";
import { api, type ApiClient } from "@/lib/api";
import { describeError } from "@/lib/errors";
import { loadOriginals, sweepOriginals } from "@/lib/originals";
import { photosImport, videoImport } from "@/lib/regions";
import { prepareResult, revoke, type Prepared } from "@/lib/results";
import { jobToResume, type SavedJob } from "@/lib/session";
import { describeStage } from "@/lib/stages";
import { summarize } from "@/lib/summary";
import { isBusy, useJob, type JobRequest } from "@/hooks/useJob";
import { useLeaveGuard } from "@/hooks/useLeaveGuard";
import { useSelection } from "@/hooks/useSelection";
import { useServerStatus } from "@/hooks/useServerStatus";
import { useStoredOptions } from "@/hooks/useStoredOptions";
import { useTheme } from "@/hooks/useTheme";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { GoneNotice } from "@/components/GoneNotice";
import { JobProgress } from "@/components/JobProgress";
import { ResultView, type ApplyRequest } from "@/components/ResultView";
import { SelectView } from "@/components/SelectView";
import { SiteFooter } from "@/components/SiteFooter";
import { SiteHeader } from "@/components/SiteHeader";

export default function App({ client = api }: { client?: ApiClient }) {
  const status = useServerStatus(client);
  const theme = useTheme();
  const { options, update, reset } = useStoredOptions();
  const { limits, refreshStats, refreshNow } = status;
  const selection = useSelection(limits);
  const job = useJob(client);
  const { state } = job;
  const [prepared, setPrepared] = useState<{ taskId: string; value: Prepared } | null>(null);
  const [saved, setSaved] = useState(false);
  const [pageError, setPageError] = useState<unknown>(null);
  const [now, setNow] = useState(() => Date.now());
  // Focus moves to a new state's heading only after the person did something (never on the first load).
  const [interacted, setInteracted] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  const files = useRef(selection.files);
  useEffect(() => {
    files.current = selection.files;
  }, [selection.files]);

  // A job this tab followed before a reload (or named in the address) is picked up again, with the files if kept.
  const { resume } = job;
  const { restore } = selection;
  useEffect(() => {
    void sweepOriginals();
    const found = jobToResume(location.search);
    if (!found) return;
    const known = "kind" in found ? found : null;
    let stopped = false;
    void loadOriginals(found.taskId).then((kept) => {
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

  // The result (served once, downloaded once) becomes what the page shows.
  useEffect(() => {
    if (state.phase !== "done") return;
    let stopped = false;
    const kind = state.result.contentType.startsWith("video/") ? "video" : "image";
    prepareResult(state.result, files.current, state.job.names, kind).then(
      (value) => {
        if (stopped) return revoke(value);
        setPrepared((old) => {
          revoke(old?.value ?? null);
          return { taskId: state.taskId, value };
        });
        setSaved(false);
        setAnnouncement(summarize(value, state.regions).title);
        refreshStats();
        refreshNow();
      },
      (e: unknown) => !stopped && setPageError(e),
    );
    return () => {
      stopped = true;
    };
  }, [state, refreshStats, refreshNow]);

  // Stages are announced as they change (not every percent); a failure is announced by its alert.
  const busyTitle = isBusy(state) ? describeStage(state, selection.kind ?? "image").title.replace(/ —.*/, "") : null;
  const announced = busyTitle ?? (state.phase === "gone" ? "The server has deleted this result." : announcement);

  const failure = state.phase === "failed" ? state.error : pageError;
  const problem = failure ? describeError(failure, limits) : null;
  const failedAt = state.phase === "failed" ? state.at : null;
  const retryAt = problem?.retryAfterSeconds && failedAt ? failedAt + problem.retryAfterSeconds * 1000 : null;
  useEffect(() => {
    if (retryAt === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [retryAt]);
  const waitSeconds = retryAt ? Math.max(0, Math.ceil((retryAt - Math.max(now, failedAt ?? 0)) / 1000)) : 0;

  useLeaveGuard(isBusy(state) || (state.phase === "done" && !saved));

  const start = useCallback(
    (extra: Partial<JobRequest> = {}) => {
      const kind = selection.kind;
      if (!kind || selection.files.length === 0) return;
      setInteracted(true);
      setPageError(null);
      setAnnouncement("");
      selection.clearProblems();
      void job.start({ files: selection.files, kind, options, ...extra });
      refreshNow();
    },
    [selection, job, options, refreshNow],
  );

  const dropResult = () => {
    revoke(prepared?.value ?? null);
    setPrepared(null);
  };
  const tryOther = () => {
    setInteracted(true);
    dropResult();
    job.clear();
  };
  const startOver = () => {
    tryOther();
    selection.clear();
  };
  const cancel = async () => {
    setInteracted(true);
    await job.cancel();
    setAnnouncement("Cancelled. The job was stopped and deleted on the server.");
    refreshNow();
  };
  const apply = (request: ApplyRequest) => start(request);
  const remake = (saved: SavedJob | null) => {
    if (state.phase !== "gone" || !state.regions) return;
    const regions =
      state.regions.kind === "images" ? photosImport(state.regions.files) : videoImport(state.regions, {});
    start({ regions, detect: false, options: saved?.options ?? options });
  };

  const shown = state.phase === "done" && prepared?.taskId === state.taskId ? prepared.value : null;

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
      <main id="main" className="mx-auto flex w-full max-w-6xl flex-1 flex-col gap-6 px-4 py-8 sm:px-6 sm:py-10">
        <div className="flex flex-col gap-2">
          <h1 className="text-2xl font-bold tracking-tight text-balance sm:text-3xl">
            Hide faces in photos and videos
          </h1>
          <p className="flex items-center gap-2 text-muted-foreground">
            <ShieldCheck className="size-4 shrink-0 text-success" aria-hidden />
            Processed on this server; metadata is stripped and files are deleted once you download them.
          </p>
        </div>
        <div role="status" aria-live="polite" className="sr-only" data-testid="announcer">
          {announced}
        </div>

        {!limits ? (
          status.limitsError ? (
            <Alert variant="destructive">
              <AlertCircle aria-hidden />
              <AlertTitle>{describeError(status.limitsError).title}</AlertTitle>
              <AlertDescription>{describeError(status.limitsError).description} Retrying…</AlertDescription>
            </Alert>
          ) : (
            <div className="flex items-center gap-2 text-muted-foreground">
              <Loader2 className="size-4 animate-spin" aria-hidden /> Loading…
            </div>
          )
        ) : isBusy(state) ? (
          <JobProgress
            state={state}
            kind={selection.kind ?? "image"}
            onCancel={() => void cancel()}
            focus={interacted}
          />
        ) : state.phase === "done" ? (
          shown ? (
            <ResultView
              key={state.taskId}
              result={shown}
              regions={state.regions}
              originals={selection.files}
              madeWith={state.job.options ?? null}
              limits={limits}
              options={options}
              onOptions={update}
              onResetOptions={reset}
              focus={interacted}
              onApply={apply}
              onTryOther={tryOther}
              onNew={startOver}
              onSaved={() => setSaved(true)}
            />
          ) : (
            <div className="flex items-center gap-2 text-muted-foreground">
              <Loader2 className="size-4 animate-spin" aria-hidden /> Preparing the result…
            </div>
          )
        ) : (
          <SelectView
            limits={limits}
            files={selection.files}
            kind={selection.kind}
            problems={selection.problems}
            error={problem}
            focusError={interacted}
            waitSeconds={waitSeconds}
            options={options}
            onOptions={update}
            onResetOptions={reset}
            onFiles={(f) => {
              setPageError(null);
              void selection.choose(f);
            }}
            onRemove={selection.remove}
            onClear={() => {
              selection.clear();
              setPageError(null);
              if (state.phase === "gone" || state.phase === "failed") job.clear();
            }}
            onSubmit={() => start()}
            notice={
              state.phase === "gone" ? (
                <GoneNotice
                  downloadedHere={state.job?.downloaded ?? false}
                  canRemake={!!state.regions && selection.files.length > 0}
                  onRemake={() => remake(state.job)}
                />
              ) : null
            }
          />
        )}
      </main>
      <SiteFooter stats={status.stats} />
    </div>
  );
}
