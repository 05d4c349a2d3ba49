import { Check, Loader2, X } from "lucide-react";
import type { Busy } from "@/hooks/useJob";
import { describeStage } from "@/lib/stages";
import { cn } from "@/lib/utils";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Progress } from "@/components/ui/progress";
import { FocusHeading } from "./FocusHeading";

const steps = ["Upload", "Hide faces", "Download"] as const;

interface Props {
  state: Busy;
  kind: "image" | "video";
  onCancel: () => void;
  focus?: boolean;
}

export function JobProgress({ state, kind, onCancel, focus }: Props) {
  const { title, detail, percent } = describeStage(state, kind);
  const step = state.phase === "uploading" ? 0 : state.phase === "processing" ? 1 : 2;
  return (
    <Card aria-labelledby="progress-title" data-testid="job-progress">
      <CardContent className="flex flex-col gap-4 pt-5 sm:pt-6">
        <ol className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm" aria-label="Steps">
          {steps.map((name, i) => (
            <li key={name} className="flex items-center gap-2" aria-current={i === step ? "step" : undefined}>
              <span
                className={cn(
                  "grid size-6 place-items-center rounded-full border text-xs font-semibold",
                  i < step && "border-primary bg-primary text-primary-foreground",
                  i === step && "border-primary text-primary",
                  i > step && "text-muted-foreground",
                )}
                aria-hidden
              >
                {i < step ? <Check className="size-3.5" /> : i + 1}
              </span>
              <span className={cn(i === step ? "font-medium" : "text-muted-foreground")}>
                {name}
                {i < step && <span className="sr-only"> (done)</span>}
              </span>
              {i < steps.length - 1 && <span className="mx-1 h-px w-4 bg-border sm:w-8" aria-hidden />}
            </li>
          ))}
        </ol>
        <div className="flex items-center gap-3">
          <Loader2 className="size-5 shrink-0 animate-spin text-primary" aria-hidden />
          <div className="flex min-w-0 flex-col">
            <FocusHeading id="progress-title" className="font-semibold" focus={focus} data-testid="job-stage">
              {title}
            </FocusHeading>
            <p className="text-sm text-muted-foreground tabular-nums" data-testid="job-detail">
              {detail || "\u00a0"}
            </p>
          </div>
          <span className="ml-auto text-2xl font-semibold tabular-nums" aria-hidden>
            {percent === null ? "" : `${percent}%`}
          </span>
        </div>
        <Progress
          value={percent}
          aria-label={title}
          aria-valuetext={percent === null ? `${title}…` : `${percent}%${detail ? `, ${detail}` : ""}`}
          data-testid="job-progress-bar"
        />
        <div>
          <Button variant="outline" size="sm" onClick={onCancel} data-testid="cancel">
            <X aria-hidden /> Cancel
          </Button>
        </div>
      </CardContent>
    </Card>
  );
}
