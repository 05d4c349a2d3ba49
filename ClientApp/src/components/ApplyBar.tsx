import { RotateCcw, Wand2 } from "lucide-react";
import { cn } from "@/lib/utils";
import { Button } from "@/components/ui/button";

interface Props {
  /** What is not applied yet, in words ("2 changes to the faces and new settings"). */
  pending: string;
  canApply: boolean;
  onApply: () => void;
  onDiscard: () => void;
  className?: string;
}

/** Changes waiting to be rendered: stays at the bottom of the screen until applied or discarded. */
export function ApplyBar({ pending, canApply, onApply, onDiscard, className }: Props) {
  return (
    <div
      className={cn(
        "sticky bottom-0 z-10 -mx-4 flex flex-wrap items-center gap-3 border-t bg-background/95 px-4 py-3 backdrop-blur sm:-mx-6 sm:px-6 lg:bottom-4 lg:mx-0 lg:rounded-xl lg:border lg:bg-card lg:px-4 lg:shadow-sm",
        className,
      )}
      data-testid="apply-bar"
    >
      <p className="min-w-0 flex-1 text-sm lg:basis-full">
        <span className="font-medium">Not applied yet:</span> {pending}.
        {!canApply && (
          <span className="block text-muted-foreground">
            The original files are not in this page any more: choose them again to apply.
          </span>
        )}
      </p>
      <Button variant="ghost" onClick={onDiscard} className="px-3">
        <RotateCcw aria-hidden /> <span className="sr-only sm:not-sr-only">Discard</span>
      </Button>
      <Button onClick={onApply} disabled={!canApply} data-testid="apply">
        <Wand2 aria-hidden /> Apply
      </Button>
    </div>
  );
}
