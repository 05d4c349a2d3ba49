import { useMemo, useState } from "react";
import { Columns2, ScanFace, Users } from "lucide-react";
import type { AnonymizeOptions, Limits } from "@/lib/api";
import type { RegionsDoc } from "@/lib/regions";
import type { Prepared } from "@/lib/results";
import { useResultEdits } from "@/hooks/useResultEdits";
import { Card, CardContent } from "@/components/ui/card";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { ApplyBar } from "./ApplyBar";
import { PhotoCompare } from "./PhotoCompare";
import { OptionsPanel } from "./OptionsPanel";
import { PhotoGrid } from "./PhotoGrid";
import { summarize } from "@/lib/summary";
import { ResultSummary } from "./ResultSummary";
import { PhotoReview } from "./review/PhotoReview";
import { VideoCompare } from "./review/VideoCompare";
import { VideoReview } from "./review/VideoReview";

export interface ApplyRequest {
  regions?: string;
  detect?: boolean;
}

interface Props {
  result: Prepared;
  regions: RegionsDoc | null;
  /** The person's files, when the page still has them (needed to apply changes). */
  originals: File[];
  /** The options this result was made with. */
  madeWith: AnonymizeOptions | null;
  limits: Limits;
  options: AnonymizeOptions;
  onOptions: (patch: Partial<AnonymizeOptions>) => void;
  onResetOptions: () => void;
  focus?: boolean;
  onApply: (request: ApplyRequest) => void;
  onTryOther: () => void;
  onNew: () => void;
  /** The person saved the whole result (or every photo of it). */
  onSaved: () => void;
}

/**
 * The result: what was found, review and fix (photos: the regions over the original; video: the tracked faces),
 * before/after, downloads, and the options, all applied together by re-rendering the originals.
 */
export function ResultView(props: Props) {
  const { result, regions, originals, madeWith, options } = props;
  const edits = useResultEdits(regions, madeWith, options, props.onOptions);
  const { review, dispatch } = edits;
  const [selected, setSelected] = useState(0);
  const [tab, setTab] = useState(result.kind === "images" && regions ? "review" : "compare");
  const [savedPhotos, setSavedPhotos] = useState<Set<number>>(new Set());
  const summary = useMemo(() => summarize(result, regions), [result, regions]);

  const canApply = originals.length > 0;

  const savePhoto = (index: number) => {
    const next = new Set(savedPhotos).add(index);
    setSavedPhotos(next);
    if (result.kind === "images" && next.size === result.items.length) props.onSaved();
  };
  const markByHand = () => {
    setTab("review");
    // The frame exists once the tab has rendered.
    requestAnimationFrame(() => document.querySelector<HTMLElement>("[data-testid=review-frame]")?.focus());
  };

  const item = result.kind === "images" ? (result.items[selected] ?? result.items[0]) : undefined;
  const file = item ? review.present.find((f) => f.index === item.index) : undefined;

  return (
    <div className="grid items-start gap-6 lg:grid-cols-[1fr_20rem] lg:grid-rows-[auto_1fr]">
      <Card data-testid="result" className="min-w-0 lg:row-span-2">
        <ResultSummary
          result={result}
          summary={summary}
          focus={props.focus}
          onSaved={props.onSaved}
          onMarkByHand={regions ? markByHand : undefined}
          onTryOther={props.onTryOther}
          onNew={props.onNew}
        />
        <CardContent className="flex flex-col gap-4">
          <Tabs value={tab} onValueChange={setTab} className="flex flex-col gap-3">
            <TabsList aria-label="View" className="self-start">
              {result.kind === "images" && regions && (
                <TabsTrigger value="review" data-testid="tab-review">
                  <ScanFace aria-hidden /> Review faces
                </TabsTrigger>
              )}
              <TabsTrigger value="compare" data-testid="tab-compare">
                <Columns2 aria-hidden /> Before / after
              </TabsTrigger>
              {result.kind === "video" && regions?.kind === "video" && (
                <TabsTrigger value="faces" data-testid="tab-faces">
                  <Users aria-hidden /> Faces ({regions.tracks.length})
                </TabsTrigger>
              )}
            </TabsList>
            {item && file && (
              <TabsContent value="review" onKeyDown={edits.undoKeys} tabIndex={-1}>
                <PhotoReview
                  key={file.index}
                  file={file}
                  src={item.before ?? item.after}
                  name={item.name}
                  dispatch={dispatch}
                  canUndo={review.past.length > 0}
                  canRedo={review.future.length > 0}
                />
              </TabsContent>
            )}
            <TabsContent value="compare" tabIndex={-1}>
              {result.kind === "video" ? (
                <VideoCompare result={result.url} original={result.original} />
              ) : (
                item && <PhotoCompare item={item} />
              )}
            </TabsContent>
            {regions?.kind === "video" && (
              <TabsContent value="faces" tabIndex={-1}>
                <VideoReview
                  doc={regions}
                  original={originals[0] ?? null}
                  hidden={edits.trackHidden}
                  onToggle={edits.toggleTrack}
                />
              </TabsContent>
            )}
          </Tabs>
          {result.kind === "images" && result.items.length > 1 && (
            <PhotoGrid items={result.items} selected={selected} onSelect={setSelected} onSaved={savePhoto} />
          )}
        </CardContent>
      </Card>
      <div className="lg:col-start-2 lg:row-start-1">
        <OptionsPanel
          options={options}
          modes={props.limits.modes}
          shapes={props.limits.shapes}
          onChange={props.onOptions}
          onReset={props.onResetOptions}
          description="Change them, then Apply to render again."
        />
      </div>
      {edits.pending && (
        <ApplyBar
          className="lg:col-start-2 lg:row-start-2"
          pending={edits.pending}
          canApply={canApply}
          onApply={() => props.onApply(edits.request())}
          onDiscard={edits.discard}
        />
      )}
    </div>
  );
}
