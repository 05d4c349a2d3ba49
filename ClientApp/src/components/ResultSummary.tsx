import type { ReactNode } from "react";
import { CheckCircle2, Download, FilePlus2, PenLine, SlidersHorizontal, TriangleAlert } from "lucide-react";
import { formatBytes } from "@/lib/format";
import type { Prepared } from "@/lib/results";
import type { Summary } from "@/lib/summary";
import { Button } from "@/components/ui/button";
import { CardDescription, CardHeader } from "@/components/ui/card";
import { FocusHeading } from "./FocusHeading";

interface Props {
  result: Prepared;
  summary: Summary;
  focus?: boolean;
  onSaved: () => void;
  onMarkByHand?: () => void;
  onTryOther: () => void;
  onNew: () => void;
  children?: ReactNode;
}

export function ResultSummary({ result, summary, focus, onSaved, onMarkByHand, onTryOther, onNew }: Props) {
  const Icon = summary.warning ? TriangleAlert : CheckCircle2;
  const photos = result.kind === "images";
  return (
    <CardHeader className="gap-4">
      <div className="flex items-start gap-3">
        <Icon
          className={summary.warning ? "mt-0.5 size-5 shrink-0 text-warning" : "mt-0.5 size-5 shrink-0 text-success"}
          aria-hidden
        />
        <div className="flex flex-col gap-1.5">
          <FocusHeading
            className="text-base leading-tight font-semibold"
            focus={focus}
            data-testid="result-summary"
            data-warning={summary.warning}
          >
            {summary.title}
          </FocusHeading>
          <CardDescription data-testid="result-advice">
            {summary.warning
              ? photos
                ? "If there are faces in it, mark them by hand: drag a box over each one (or use “Add a box”), then Apply."
                : "Nothing was hidden. Check the video before you share it."
              : photos
                ? `${summary.unsure > 0 ? `${summary.unsure} ${summary.unsure === 1 ? "is" : "are"} unsure. ` : ""}Check that none was missed: click or tap a face to keep it visible, drag over a missed one to hide it, then Apply.`
                : `${summary.unsure > 0 ? `${summary.unsure} unsure. ` : ""}Under “Faces”, choose any to keep visible, then Apply.`}{" "}
            The server has deleted its copy; save the result before you leave.
          </CardDescription>
        </div>
      </div>
      <div className="flex flex-wrap gap-2">
        {summary.warning && photos && onMarkByHand && (
          <Button onClick={onMarkByHand} data-testid="mark-by-hand">
            <PenLine aria-hidden /> Mark faces by hand
          </Button>
        )}
        <Button asChild variant={summary.warning && photos ? "outline" : "default"}>
          <a href={result.download.url} download={result.download.fileName} onClick={onSaved} data-testid="download">
            <Download aria-hidden /> Download {result.download.fileName.endsWith(".zip") ? "all (zip)" : ""}
            <span className="font-normal opacity-80">({formatBytes(result.download.size)})</span>
          </a>
        </Button>
        <Button variant="outline" onClick={onTryOther} data-testid="try-other">
          <SlidersHorizontal aria-hidden /> Try other settings
        </Button>
        <Button variant="ghost" onClick={onNew} data-testid="new-files">
          <FilePlus2 aria-hidden /> New files
        </Button>
      </div>
    </CardHeader>
  );
}
