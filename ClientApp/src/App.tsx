import { useCallback, useState } from "react";
import { api, type ApiClient } from "@/lib/api";
import { describeError } from "@/lib/errors";
import { photosImport, videoImport } from "@/lib/regions";
import type { SavedJob } from "@/lib/session";
import { describeStage } from "@/lib/stages";
import { summarize } from "@/lib/summary";
import { isBusy, useJob, type JobRequest } from "@/hooks/useJob";
import { useCountdown } from "@/hooks/useCountdown";
import { useLeaveGuard } from "@/hooks/useLeaveGuard";
import { usePreparedResult } from "@/hooks/usePreparedResult";
import { useResume } from "@/hooks/useResume";
import { useSelection } from "@/hooks/useSelection";
import { useServerStatus } from "@/hooks/useServerStatus";
import { useStoredOptions } from "@/hooks/useStoredOptions";
import { useTheme } from "@/hooks/useTheme";
import { GoneNotice } from "@/components/GoneNotice";
import { JobProgress } from "@/components/JobProgress";
import { Blocked, Intro, Waiting } from "@/components/PageNotes";
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
  const [saved, setSaved] = useState(false);
  // Focus moves to a new state's heading only after the person did something (never on the first load).
  const [interacted, setInteracted] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  useResume(job.resume, selection.restore, options);
  const result = usePreparedResult(state, selection.files, (value) => {
    setSaved(false);
    setAnnouncement(summarize(value, state.phase === "done" ? state.regions : null).title);
    refreshStats();
    refreshNow();
  });

  // Stages are announced as they change (not every percent); a failure is announced by its alert.
  const busyTitle = isBusy(state) ? describeStage(state, selection.kind ?? "image").title.replace(/ —.*/, "") : null;
  const announced = busyTitle ?? (state.phase === "gone" ? "The server has deleted this result." : announcement);

  const failure = state.phase === "failed" ? state.error : null;
  const problem = failure ? describeError(failure, limits) : null;
  const failedAt = state.phase === "failed" ? state.at : 0;
  const waitSeconds = useCountdown(
    problem?.retryAfterSeconds && failedAt ? failedAt + problem.retryAfterSeconds * 1000 : null,
    failedAt,
  );

  useLeaveGuard(isBusy(state) || (state.phase === "done" && !saved));

  const start = useCallback(
    (extra: Partial<JobRequest> = {}) => {
      const kind = selection.kind;
      if (!kind || selection.files.length === 0) return;
      setInteracted(true);
      setAnnouncement("");
      selection.clearProblems();
      void job.start({ files: selection.files, kind, options, ...extra });
      refreshNow();
    },
    [selection, job, options, refreshNow],
  );

  const tryOther = () => {
    setInteracted(true);
    result.drop();
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

  const shown = result.shown;

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
        <Intro />
        <div role="status" aria-live="polite" className="sr-only" data-testid="announcer">
          {announced}
        </div>

        {!limits ? (
          status.limitsError ? (
            <Blocked error={status.limitsError} retrying />
          ) : (
            <Waiting>Loading…</Waiting>
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
          ) : result.error ? (
            <Blocked error={result.error} />
          ) : (
            <Waiting>Preparing the result…</Waiting>
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
              if (state.phase === "failed") job.clear();
              void selection.choose(f);
            }}
            onRemove={selection.remove}
            onClear={() => {
              selection.clear();
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
