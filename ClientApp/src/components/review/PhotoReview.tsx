import { useRef, useState, type Dispatch } from "react";
import { Hand, Maximize, Minus, Plus, Redo2, SquareDashed, SquarePlus, Trash2, Undo2 } from "lucide-react";
import { useViewport } from "@/hooks/useViewport";
import { isUnsure, type PhotoRegions } from "@/lib/regions";
import { nextDrawnId, type ReviewAction } from "@/lib/review";
import { visibleArea } from "@/lib/viewport";
import { Button } from "@/components/ui/button";
import { ToggleGroup, ToggleGroupItem } from "@/components/ui/toggle-group";
import { RegionCanvas, type Tool } from "./RegionCanvas";

interface Props {
  file: PhotoRegions;
  /** The original photo (or, when the page no longer has it, the result). */
  src: string;
  name: string;
  dispatch: Dispatch<ReviewAction>;
  canUndo: boolean;
  canRedo: boolean;
}

/** Review and fix one photo: tools, the photo with its regions, and what the marks mean. */
export function PhotoReview({ file, src, name, dispatch, canUndo, canRedo }: Props) {
  const frame = useRef<HTMLDivElement>(null);
  const viewport = useViewport(file, frame);
  const [tool, setTool] = useState<Tool>("draw");
  const [selected, setSelected] = useState<string | null>(null);
  const [focusRequest, setFocusRequest] = useState<{ id: string } | null>(null);
  const selectedRegion = file.regions.find((r) => r.id === selected);
  const hidden = file.regions.filter((r) => r.hidden).length;
  const kept = file.regions.length - hidden;
  const unsure = file.regions.filter(isUnsure).length;
  const drawn = file.regions.filter((r) => r.source === "given").length;

  /** A box placed from the keyboard: in the middle of what is shown, a fifth of its size, ready to move. */
  const addBox = () => {
    const area = visibleArea(viewport.view, file, viewport.size);
    const side = Math.max(8, Math.min(area.w, area.h) / 5);
    const id = nextDrawnId(file);
    dispatch({
      type: "add",
      file: file.index,
      id,
      box: { x: area.x + (area.w - side) / 2, y: area.y + (area.h - side) / 2, w: side, h: side },
    });
    setSelected(id);
    setFocusRequest({ id });
  };

  const removeSelected = () => {
    if (selectedRegion?.source !== "given") return;
    dispatch({ type: "remove", file: file.index, id: selectedRegion.id });
    setSelected(null);
    frame.current?.focus();
  };

  return (
    <div className="flex flex-col gap-3" data-testid="photo-review">
      <div role="toolbar" aria-label="Review tools" className="flex flex-wrap items-center gap-x-2 gap-y-2">
        <ToggleGroup
          type="single"
          value={tool}
          onValueChange={(v) => v && setTool(v as Tool)}
          aria-label="Dragging on the photo"
          className="w-auto"
        >
          <ToggleGroupItem value="draw" className="px-2.5" data-testid="tool-draw">
            <SquareDashed className="size-4" aria-hidden /> <span className="sr-only sm:not-sr-only">Draw</span>
          </ToggleGroupItem>
          <ToggleGroupItem value="pan" className="px-2.5" data-testid="tool-pan">
            <Hand className="size-4" aria-hidden /> <span className="sr-only sm:not-sr-only">Pan</span>
          </ToggleGroupItem>
        </ToggleGroup>
        <div className="flex items-center gap-1">
          <Button variant="outline" size="icon" onClick={() => viewport.zoom(0.8)} aria-label="Zoom out">
            <Minus aria-hidden />
          </Button>
          <span className="w-11 text-center text-sm tabular-nums" data-testid="zoom-level">
            {Math.round(viewport.view.scale * 100)}%
          </span>
          <Button variant="outline" size="icon" onClick={() => viewport.zoom(1.25)} aria-label="Zoom in">
            <Plus aria-hidden />
          </Button>
          <Button variant="outline" size="icon" onClick={viewport.fit} aria-label="Fit the photo">
            <Maximize aria-hidden />
          </Button>
        </div>
        <div className="flex items-center gap-1">
          <Button variant="outline" size="sm" className="h-9" onClick={addBox} data-testid="add-box">
            <SquarePlus aria-hidden /> Add a box
          </Button>
          <Button
            variant="outline"
            size="icon"
            onClick={removeSelected}
            disabled={selectedRegion?.source !== "given"}
            aria-label="Delete the selected box"
          >
            <Trash2 aria-hidden />
          </Button>
        </div>
        <div className="flex items-center gap-1">
          <Button
            variant="outline"
            size="icon"
            onClick={() => dispatch({ type: "undo" })}
            disabled={!canUndo}
            aria-label="Undo"
            aria-keyshortcuts="Control+Z"
            data-testid="undo"
          >
            <Undo2 aria-hidden />
          </Button>
          <Button
            variant="outline"
            size="icon"
            onClick={() => dispatch({ type: "redo" })}
            disabled={!canRedo}
            aria-label="Redo"
            aria-keyshortcuts="Control+Shift+Z"
            data-testid="redo"
          >
            <Redo2 aria-hidden />
          </Button>
        </div>
      </div>
      <RegionCanvas
        file={file}
        src={src}
        name={name}
        frame={frame}
        viewport={viewport}
        tool={tool}
        selected={selected}
        onSelect={setSelected}
        dispatch={dispatch}
        focusRequest={focusRequest}
      />
      <p className="text-sm text-muted-foreground" data-testid="review-counts">
        {file.regions.length === 0
          ? "No regions in this photo yet."
          : `${file.regions.length} region${file.regions.length === 1 ? "" : "s"}: ${hidden} hidden, ${kept} kept visible${unsure ? `, ${unsure} unsure` : ""}${drawn ? `, ${drawn} marked by you` : ""}.`}{" "}
        Click or tap a face to hide or keep it; drag on the photo to mark one that was missed.
      </p>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted-foreground" aria-label="What the marks mean">
        <Legend className="border-rose-500 bg-rose-500/15">Hidden</Legend>
        <Legend className="border-amber-400 bg-amber-400/20">Unsure: please check</Legend>
        <Legend className="border-dashed border-emerald-500">Kept visible</Legend>
        <Legend className="border-sky-500 bg-sky-400/20">Marked by you</Legend>
      </ul>
    </div>
  );
}

function Legend({ className, children }: { className: string; children: string }) {
  return (
    <li className="flex items-center gap-1.5">
      <span className={`inline-block size-3.5 rounded-[3px] border-2 ${className}`} aria-hidden />
      {children}
    </li>
  );
}
