import { useCallback, useRef, useState } from "react";
import { ChevronsLeftRight } from "lucide-react";
import { cn } from "@/lib/utils";

interface Props {
  before: string;
  after: string;
  alt: string;
  className?: string;
}

/**
 * Before/after comparison: the original on the left of the handle, the result on the right. Drag anywhere on the
 * picture, or focus the handle and use the arrow keys (Shift for bigger steps), Home and End.
 */
export function CompareSlider({ before, after, alt, className }: Props) {
  const [position, setPosition] = useState(50);
  const frame = useRef<HTMLDivElement>(null);
  const dragging = useRef(false);

  const moveTo = useCallback((clientX: number) => {
    const box = frame.current?.getBoundingClientRect();
    if (!box || box.width === 0) return;
    setPosition(Math.min(100, Math.max(0, ((clientX - box.left) / box.width) * 100)));
  }, []);

  return (
    <div className={cn("flex justify-center rounded-lg bg-muted", className)}>
      <div
        ref={frame}
        className="relative inline-block max-w-full touch-none overflow-hidden rounded-lg select-none"
        data-testid="compare"
        onPointerDown={(e) => {
          dragging.current = true;
          e.currentTarget.setPointerCapture(e.pointerId);
          moveTo(e.clientX);
        }}
        onPointerMove={(e) => dragging.current && moveTo(e.clientX)}
        onPointerUp={() => (dragging.current = false)}
        onPointerCancel={() => (dragging.current = false)}
      >
        <img
          src={after}
          alt={`${alt}, faces hidden`}
          className="block h-auto max-h-[70vh] w-auto max-w-full"
          draggable={false}
          data-testid="compare-after"
        />
        <img
          src={before}
          alt={`${alt}, original`}
          className="absolute inset-0 block size-full"
          style={{ clipPath: `inset(0 ${100 - position}% 0 0)` }}
          draggable={false}
          data-testid="compare-before"
        />
        <span className="pointer-events-none absolute top-2 left-2 rounded bg-black/60 px-2 py-0.5 text-xs font-medium text-white">
          Before
        </span>
        <span className="pointer-events-none absolute top-2 right-2 rounded bg-black/60 px-2 py-0.5 text-xs font-medium text-white">
          After
        </span>
        <div
          className="pointer-events-none absolute inset-y-0 w-0.5 -translate-x-1/2 bg-white shadow-[0_0_4px_rgba(0,0,0,.5)]"
          style={{ left: `${position}%` }}
        />
        <div
          role="slider"
          tabIndex={0}
          aria-label="Compare before and after"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(position)}
          aria-valuetext={`${Math.round(position)}% original`}
          data-testid="compare-handle"
          onKeyDown={(e) => {
            const step = e.shiftKey ? 10 : 2;
            const next =
              e.key === "ArrowLeft" || e.key === "ArrowDown"
                ? position - step
                : e.key === "ArrowRight" || e.key === "ArrowUp"
                  ? position + step
                  : e.key === "Home"
                    ? 0
                    : e.key === "End"
                      ? 100
                      : null;
            if (next === null) return;
            e.preventDefault();
            setPosition(Math.min(100, Math.max(0, next)));
          }}
          className="absolute top-1/2 grid size-10 -translate-x-1/2 -translate-y-1/2 cursor-ew-resize place-items-center rounded-full border-2 border-white bg-primary text-primary-foreground shadow-lg outline-none focus-visible:ring-4 focus-visible:ring-ring/60"
          style={{ left: `${position}%` }}
        >
          <ChevronsLeftRight className="size-5" aria-hidden />
        </div>
      </div>
    </div>
  );
}
