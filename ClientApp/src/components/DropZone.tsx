import { useEffect, useMemo, useRef, useState } from "react";
import { Film, ImageIcon, Upload, X } from "lucide-react";
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

/** Drop files here or pick them (click, Enter or Space); shows what is chosen, with the server's limits. */
export function DropZone({ limits, files, kind, disabled, onFiles, onRemove }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const open = () => !disabled && input.current?.click();

  return (
    <div className="flex flex-col gap-4">
      <div
        role="button"
        tabIndex={disabled ? -1 : 0}
        aria-disabled={disabled}
        aria-describedby="drop-limits"
        aria-label="Choose photos or a video, or drop them here"
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
          "group flex cursor-pointer flex-col items-center justify-center gap-3 rounded-xl border-2 border-dashed border-input bg-card px-6 py-10 text-center transition-colors outline-none hover:border-primary/60 hover:bg-accent/40 focus-visible:border-primary focus-visible:ring-[3px] focus-visible:ring-ring/40 sm:py-14",
          over && "border-primary bg-accent/60",
          disabled && "pointer-events-none opacity-60",
        )}
      >
        <span className="grid size-14 place-items-center rounded-full bg-primary/10 text-primary transition-transform group-hover:scale-105">
          <Upload className="size-6" aria-hidden />
        </span>
        <div className="flex flex-col gap-1">
          <p className="text-base font-semibold">
            Drop photos or a video here, or <span className="text-primary underline underline-offset-4">browse</span>
          </p>
          <p id="drop-limits" className="text-sm text-muted-foreground">
            Up to {limits.max_upload_files} photos ({formatMb(limits.max_upload_mb)} each) or one video (
            {formatMb(limits.max_video_mb)}, {formatDuration(limits.max_video_seconds)}).
          </p>
          <p className="text-xs text-muted-foreground uppercase">
            {[...limits.image_extensions, ...limits.video_extensions].join(" · ")}
          </p>
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
      {files.length > 0 && (
        <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 md:grid-cols-5" aria-label="Chosen files">
          {files.map((file, i) => (
            <FileTile
              key={`${file.name}-${file.size}-${file.lastModified}`}
              file={file}
              video={kind === "video"}
              disabled={disabled}
              onRemove={() => onRemove(i)}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

function FileTile({
  file,
  video,
  disabled,
  onRemove,
}: {
  file: File;
  video: boolean;
  disabled?: boolean;
  onRemove: () => void;
}) {
  const url = useMemo(() => URL.createObjectURL(file), [file]);
  const [broken, setBroken] = useState(false);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <li className="group relative overflow-hidden rounded-lg border bg-muted">
      <div className="aspect-square">
        {broken ? (
          <span className="grid size-full place-items-center text-muted-foreground">
            {video ? <Film className="size-8" aria-hidden /> : <ImageIcon className="size-8" aria-hidden />}
          </span>
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
      </div>
      <div className="flex items-center gap-1.5 border-t bg-card px-2 py-1.5 text-xs">
        {video ? (
          <Film className="size-3.5 shrink-0" aria-hidden />
        ) : (
          <ImageIcon className="size-3.5 shrink-0" aria-hidden />
        )}
        <span className="truncate" title={file.name}>
          {file.name}
        </span>
        <span className="ml-auto shrink-0 text-muted-foreground">{formatBytes(file.size)}</span>
      </div>
      <Button
        variant="secondary"
        size="icon"
        className="absolute top-1.5 right-1.5 size-7 rounded-full opacity-90 shadow"
        onClick={onRemove}
        disabled={disabled}
        aria-label={`Remove ${file.name}`}
      >
        <X aria-hidden />
      </Button>
    </li>
  );
}
