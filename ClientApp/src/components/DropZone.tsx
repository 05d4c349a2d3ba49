import { useEffect, useMemo, useRef, useState } from "react";
import { Film, ImageIcon, Plus, Upload, X } from "lucide-react";
import type { Limits } from "@/lib/api";
import { formatBytes, formatDuration, formatMb } from "@/lib/format";
import { acceptAttribute } from "@/lib/validation";
import { cn } from "@/lib/utils";
import { Button } from "@/components/ui/button";

interface Props {
  limits: Limits;
  files: File[];
  kind: "image" | "video" | null;
  disabled?: boolean;
  onFiles: (files: File[]) => void;
  onRemove: (index: number) => void;
}

/**
 * Drop files here or pick them (click, tap, Enter or Space). Once files are chosen it shrinks to one line, and the
 * files are a compact list, so the options and the main button stay near on a phone. Removing a file moves focus to
 * the next one (or back to the picker), never to the page's body.
 */
export function DropZone({ limits, files, kind, disabled, onFiles, onRemove }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const zone = useRef<HTMLDivElement>(null);
  const removeButtons = useRef<(HTMLButtonElement | null)[]>([]);
  const focusAfterRemove = useRef<number | null>(null);
  const [over, setOver] = useState(false);
  const open = () => !disabled && input.current?.click();
  const compact = files.length > 0;

  useEffect(() => {
    const index = focusAfterRemove.current;
    if (index === null) return;
    focusAfterRemove.current = null;
    const target = removeButtons.current[Math.min(index, files.length - 1)];
    (target ?? zone.current)?.focus();
  }, [files]);

  const limitsText = `Up to ${limits.max_upload_files} photos (${formatMb(limits.max_upload_mb)} each) or one video (${formatMb(limits.max_video_mb)}, ${formatDuration(limits.max_video_seconds)}).`;

  return (
    <div className="flex flex-col gap-3">
      <div
        ref={zone}
        role="button"
        tabIndex={disabled ? -1 : 0}
        aria-disabled={disabled}
        data-testid="drop-zone"
        onClick={open}
        onKeyDown={(e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            open();
          }
        }}
        onDragOver={(e) => {
          e.preventDefault();
          if (!disabled) setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          if (!disabled && e.dataTransfer.files.length) onFiles(Array.from(e.dataTransfer.files));
        }}
        className={cn(
          "group flex cursor-pointer items-center rounded-xl border-2 border-dashed border-input bg-card text-center transition-colors outline-none hover:border-primary/60 hover:bg-accent/40 focus-visible:border-primary focus-visible:ring-[3px] focus-visible:ring-ring/40",
          compact ? "gap-3 px-4 py-3 text-left" : "flex-col justify-center gap-3 px-6 py-10 sm:py-14",
          over && "border-primary bg-accent/60",
          disabled && "pointer-events-none opacity-60",
        )}
      >
        <span
          className={cn(
            "grid shrink-0 place-items-center rounded-full bg-primary/10 text-primary transition-transform group-hover:scale-105",
            compact ? "size-9" : "size-14",
          )}
        >
          {compact ? <Plus className="size-5" aria-hidden /> : <Upload className="size-6" aria-hidden />}
        </span>
        <div className="flex min-w-0 flex-col gap-1">
          <p className={cn("font-semibold", compact ? "text-sm" : "text-base")}>
            {compact ? (
              kind === "video" ? (
                "Choose another file"
              ) : (
                "Add more photos"
              )
            ) : (
              <>
                <span className="pointer-coarse:hidden">
                  Drop photos or a video here, or{" "}
                  <span className="text-primary underline underline-offset-4">browse</span>
                </span>
                <span className="hidden pointer-coarse:inline">Tap to choose photos or a video</span>
              </>
            )}
          </p>
          <p className={cn("text-muted-foreground", compact ? "text-xs" : "text-sm")}>{limitsText}</p>
          {!compact && (
            <p className="text-xs text-muted-foreground uppercase">
              {[...limits.image_extensions, ...limits.video_extensions].join(" · ")}
            </p>
          )}
        </div>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          accept={acceptAttribute(limits)}
          aria-label="Photos or a video"
          data-testid="file-input"
          onChange={(e) => {
            if (e.target.files?.length) onFiles(Array.from(e.target.files));
            e.target.value = "";
          }}
        />
      </div>
      {compact && (
        <ul className="grid gap-2 sm:grid-cols-2" aria-label="Chosen files">
          {files.map((file, i) => (
            <FileRow
              key={`${file.name}-${file.size}-${file.lastModified}`}
              file={file}
              video={kind === "video"}
              disabled={disabled}
              buttonRef={(el) => {
                removeButtons.current[i] = el;
              }}
              onRemove={() => {
                focusAfterRemove.current = i;
                onRemove(i);
              }}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

function FileRow({
  file,
  video,
  disabled,
  buttonRef,
  onRemove,
}: {
  file: File;
  video: boolean;
  disabled?: boolean;
  buttonRef: (el: HTMLButtonElement | null) => void;
  onRemove: () => void;
}) {
  const url = useMemo(() => URL.createObjectURL(file), [file]);
  const [broken, setBroken] = useState(false);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  const Icon = video ? Film : ImageIcon;
  return (
    <li className="flex items-center gap-3 rounded-lg border bg-card p-1.5 pr-2 text-sm">
      <span className="grid size-11 shrink-0 place-items-center overflow-hidden rounded-md bg-muted text-muted-foreground">
        {broken ? (
          <Icon className="size-5" aria-hidden />
        ) : video ? (
          <video
            src={url}
            muted
            preload="metadata"
            className="size-full object-cover"
            aria-hidden
            onError={() => setBroken(true)}
          />
        ) : (
          <img src={url} alt="" className="size-full object-cover" onError={() => setBroken(true)} />
        )}
      </span>
      <span className="flex min-w-0 flex-1 flex-col">
        <span className="truncate font-medium" title={file.name}>
          {file.name}
        </span>
        <span className="text-xs text-muted-foreground">{formatBytes(file.size)}</span>
      </span>
      <Button
        ref={buttonRef}
        variant="ghost"
        size="icon"
        className="size-9 shrink-0"
        onClick={onRemove}
        disabled={disabled}
        aria-label={`Remove ${file.name}`}
      >
        <X aria-hidden />
      </Button>
    </li>
  );
}
