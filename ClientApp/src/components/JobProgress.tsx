import { Loader2, X } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Progress } from "@/components/ui/progress";

const stageNames: Record<string, string> = {
  uploading: "Uploading",
  queued: "Waiting in the queue",
  detecting: "Finding faces",
  encoding: "Saving the result",
  downloading: "Downloading the result",
};

interface Props {
  stage: string;
  /** 0..1, or null while the amount is unknown (uploading). */
  progress: number | null;
  queuePosition: number | null;
  onCancel: () => void;
}

export function JobProgress({ stage, progress, queuePosition, onCancel }: Props) {
  const percent = progress === null ? null : Math.round(progress * 100);
  const stageName = stageNames[stage] ?? stage;
  return (
    <Card aria-labelledby="progress-title" data-testid="job-progress">
      <CardContent className="flex flex-col gap-4 pt-5 sm:pt-6">
        <div className="flex items-center gap-3">
          <Loader2 className="size-5 animate-spin text-primary" aria-hidden />
          <div className="flex min-w-0 flex-col">
            <h2 id="progress-title" className="font-semibold" aria-live="polite" data-testid="job-stage">
              {stageName}
              {stage === "queued" && queuePosition !== null && ` — position ${queuePosition}`}
            </h2>
            <p className="text-sm text-muted-foreground">You can keep this page open; it updates by itself.</p>
          </div>
          <span className="ml-auto text-2xl font-semibold tabular-nums" aria-hidden>
            {percent === null ? "" : `${percent}%`}
          </span>
        </div>
        <Progress value={percent} aria-label={`${stageName}: ${percent ?? 0}%`} data-testid="job-progress-bar" />
        <div>
          <Button variant="outline" size="sm" onClick={onCancel}>
            <X aria-hidden /> Cancel
          </Button>
        </div>
      </CardContent>
    </Card>
  );
}
