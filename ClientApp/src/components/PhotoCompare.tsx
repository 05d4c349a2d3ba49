import { ScanFace } from "lucide-react";
import type { ImageItem } from "@/lib/results";
import { Badge } from "@/components/ui/badge";
import { CompareSlider } from "./CompareSlider";

/** Before/after of one photo (the result alone when the page no longer has the original). */
export function PhotoCompare({ item }: { item: ImageItem }) {
  return (
    <div className="flex flex-col gap-2">
      {item.before ? (
        <CompareSlider before={item.before} after={item.after} alt={item.name} />
      ) : (
        <img src={item.after} alt={`${item.name}, faces hidden`} className="max-h-[70vh] rounded-lg" />
      )}
      <p className="flex items-center gap-2 text-sm text-muted-foreground">
        <span className="truncate">{item.name}</span>
        {item.faces !== null && (
          <Badge variant="secondary" data-testid="item-faces">
            <ScanFace aria-hidden /> {item.faces} face{item.faces === 1 ? "" : "s"}
          </Badge>
        )}
      </p>
    </div>
  );
}
