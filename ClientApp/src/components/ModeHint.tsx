import type { Mode, Shape } from "@/lib/api";
import { cn } from "@/lib/utils";

/** A tiny drawing of a face hidden the given way, so each choice shows what it does. */
export function ModeHint({ mode, shape, className }: { mode: Mode; shape: Shape; className?: string }) {
  const round = shape === "ellipse" ? "rounded-[50%]" : "rounded-[3px]";
  return (
    <span
      aria-hidden
      className={cn(
        "relative grid size-9 shrink-0 place-items-center overflow-hidden rounded-md bg-gradient-to-br from-sky-200 to-indigo-300 dark:from-sky-800 dark:to-indigo-900",
        className,
      )}
    >
      <span className={cn("relative h-6 w-5 overflow-hidden", round)}>
        {mode === "blur" && <span className="absolute inset-0 bg-amber-200 blur-[3px]" />}
        {mode === "pixelate" && (
          <span className="absolute inset-0 grid grid-cols-3 grid-rows-3">
            {[
              "bg-amber-300",
              "bg-amber-200",
              "bg-amber-400",
              "bg-amber-200",
              "bg-amber-500",
              "bg-amber-200",
              "bg-amber-400",
              "bg-amber-300",
              "bg-amber-200",
            ].map((c, i) => (
              <span key={i} className={c} />
            ))}
          </span>
        )}
        {mode === "solid" && <span className="absolute inset-0 bg-neutral-900 dark:bg-neutral-950" />}
      </span>
    </span>
  );
}
