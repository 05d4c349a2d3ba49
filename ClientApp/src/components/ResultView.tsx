import { useState } from "react";
import { CheckCircle2, Download, RefreshCw, ScanFace } from "lucide-react";
import type { Prepared } from "@/lib/results";
import { formatBytes } from "@/lib/format";
import { cn } from "@/lib/utils";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { CompareSlider } from "./CompareSlider";

function faces(n: number | null): string {
  return n === null ? "" : `${n} face${n === 1 ? "" : "s"}`;
}

export function ResultView({ result, onMore }: { result: Prepared; onMore: () => void }) {
  const [selected, setSelected] = useState(0);
  const count = result.kind === "images" ? result.items.length : 1;
  const what = result.kind === "video" ? "the video" : count === 1 ? "the photo" : `${count} photos`;
  const summary =
    result.totalFaces === null ? `Done: ${what} processed.` : `${faces(result.totalFaces)} hidden in ${what}.`;
  const item = result.kind === "images" ? (result.items[selected] ?? result.items[0]) : undefined;

  return (
    <Card data-testid="result">
      <CardHeader className="gap-3 sm:flex-row sm:items-center sm:justify-between">
        <div className="flex items-start gap-3">
          <CheckCircle2 className="mt-0.5 size-5 shrink-0 text-success" aria-hidden />
          <div className="flex flex-col gap-1">
            <CardTitle data-testid="result-summary">{summary}</CardTitle>
            <CardDescription>
              The result is kept in this page only; the server has already deleted it. Download it before you leave.
            </CardDescription>
          </div>
        </div>
        <div className="flex shrink-0 flex-wrap gap-2">
          <Button asChild>
            <a href={result.download.url} download={result.download.fileName} data-testid="download">
              <Download aria-hidden /> Download {result.download.fileName.endsWith(".zip") ? "zip" : ""}
              <span className="font-normal opacity-80">({formatBytes(result.download.size)})</span>
            </a>
          </Button>
          <Button variant="outline" onClick={onMore}>
            <RefreshCw aria-hidden /> Process more
          </Button>
        </div>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {result.kind === "video" ? (
          <video
            src={result.url}
            controls
            playsInline
            className="max-h-[70vh] w-full rounded-lg bg-black"
            data-testid="result-video"
            aria-label="The video with faces hidden"
          />
        ) : (
          item && (
            <>
              <CompareSlider before={item.before} after={item.after} alt={item.name} />
              <p className="flex items-center gap-2 text-sm text-muted-foreground">
                <span className="truncate">{item.name}</span>
                {item.faces !== null && (
                  <Badge variant="secondary" data-testid="item-faces">
                    <ScanFace aria-hidden /> {faces(item.faces)}
                  </Badge>
                )}
              </p>
              {result.items.length > 1 && (
                <ul
                  className="grid grid-cols-3 gap-2 sm:grid-cols-5"
                  aria-label="Processed photos"
                  data-testid="result-grid"
                >
                  {result.items.map((it, i) => (
                    <li key={it.after}>
                      <button
                        type="button"
                        onClick={() => setSelected(i)}
                        aria-pressed={i === selected}
                        aria-label={`Show ${it.name}${it.faces !== null ? `, ${faces(it.faces)}` : ""}`}
                        className={cn(
                          "relative block aspect-square w-full cursor-pointer overflow-hidden rounded-md border-2 border-transparent outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
                          i === selected && "border-primary",
                        )}
                      >
                        <img src={it.after} alt="" className="size-full object-cover" />
                        {it.faces !== null && (
                          <span className="absolute right-1 bottom-1 rounded bg-black/65 px-1.5 py-0.5 text-[11px] font-medium text-white">
                            {faces(it.faces)}
                          </span>
                        )}
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </>
          )
        )}
      </CardContent>
    </Card>
  );
}
