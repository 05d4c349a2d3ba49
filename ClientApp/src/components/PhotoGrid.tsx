import { Download } from "lucide-react";
import type { ImageItem } from "@/lib/results";
import { cn } from "@/lib/utils";

function faces(n: number | null): string {
  return n === null ? "" : `${n} face${n === 1 ? "" : "s"}`;
}

interface Props {
  items: ImageItem[];
  selected: number;
  onSelect: (index: number) => void;
  onSaved: (index: number) => void;
}

/** Every photo of the result: pick one to review or compare, or save it on its own. */
export function PhotoGrid({ items, selected, onSelect, onSaved }: Props) {
  return (
    <ul className="grid grid-cols-3 gap-2 sm:grid-cols-5" aria-label="Processed photos" data-testid="result-grid">
      {items.map((item, i) => (
        <li key={item.after} className="relative">
          <button
            type="button"
            onClick={() => onSelect(i)}
            aria-pressed={i === selected}
            aria-label={`Show ${item.name}${item.faces !== null ? `, ${faces(item.faces)}` : ""}`}
            data-testid="grid-photo"
            className={cn(
              "relative block aspect-square w-full cursor-pointer overflow-hidden rounded-md border-2 border-transparent outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
              i === selected && "border-primary",
            )}
          >
            <img src={item.after} alt="" className="size-full object-cover" />
            {item.faces !== null && (
              <span className="absolute bottom-1 left-1 rounded bg-black/75 px-1.5 py-0.5 text-[11px] font-medium text-white">
                {faces(item.faces)}
              </span>
            )}
          </button>
          <a
            href={item.after}
            download={item.downloadName}
            onClick={() => onSaved(i)}
            aria-label={`Download ${item.downloadName}`}
            title={`Download ${item.downloadName}`}
            data-testid="grid-download"
            className="absolute top-1 right-1 grid size-8 place-items-center rounded-md bg-black/70 text-white outline-none hover:bg-black/85 focus-visible:ring-[3px] focus-visible:ring-white"
          >
            <Download className="size-4" aria-hidden />
          </a>
        </li>
      ))}
    </ul>
  );
}
