import type { ReactNode } from "react";
import { AlertCircle, EyeOff, Trash2 } from "lucide-react";
import type { AnonymizeOptions, Limits } from "@/lib/api";
import type { Problem } from "@/lib/errors";
import type { FileKind } from "@/lib/validation";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { DropZone } from "./DropZone";
import { FocusHeading } from "./FocusHeading";
import { OptionsPanel } from "./OptionsPanel";

interface Props {
  limits: Limits;
  files: File[];
  kind: FileKind | null;
  problems: string[];
  error: Problem | null;
  /** Seconds until the rate limit allows another upload. */
  waitSeconds: number;
  options: AnonymizeOptions;
  onOptions: (patch: Partial<AnonymizeOptions>) => void;
  onResetOptions: () => void;
  onFiles: (files: File[]) => void;
  onRemove: (index: number) => void;
  onClear: () => void;
  onSubmit: () => void;
  /** Move focus to the error's heading when it appears (after a failed upload or job). */
  focusError?: boolean;
  /** Shown above the files (a job this page had, which the server deleted). */
  notice?: ReactNode;
}

/**
 * Choosing files and options. On a phone the order is files, options, then the main button, which stays at the
 * bottom of the screen; on a wide screen the options sit beside the files and the button under them.
 */
export function SelectView(props: Props) {
  const { limits, files, kind, problems, error, waitSeconds, options } = props;
  return (
    <div className="grid items-start gap-6 lg:grid-cols-[1fr_20rem] lg:grid-rows-[auto_1fr]">
      <div className="flex min-w-0 flex-col gap-4 lg:col-start-1 lg:row-start-1">
        {props.notice}
        <DropZone limits={limits} files={files} kind={kind} onFiles={props.onFiles} onRemove={props.onRemove} />
        {problems.length > 0 && (
          <Alert variant="warning" data-testid="selection-problems">
            <AlertCircle aria-hidden />
            <AlertTitle>Some files were not added</AlertTitle>
            <AlertDescription>
              <ul className="list-disc pl-4">
                {problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            </AlertDescription>
          </Alert>
        )}
        {error && (
          <Alert variant="destructive" data-testid="error">
            <AlertCircle aria-hidden />
            <AlertTitle>
              <FocusHeading className="text-sm font-semibold" focus={props.focusError}>
                {error.title}
              </FocusHeading>
            </AlertTitle>
            <AlertDescription>
              {error.description}
              {waitSeconds > 0 && <span className="block font-medium">You can try again in {waitSeconds} s.</span>}
            </AlertDescription>
          </Alert>
        )}
      </div>
      <div className="lg:col-start-2 lg:row-span-2 lg:row-start-1">
        <OptionsPanel
          options={options}
          modes={limits.modes}
          shapes={limits.shapes}
          onChange={props.onOptions}
          onReset={props.onResetOptions}
        />
      </div>
      <div
        className="sticky bottom-0 z-10 -mx-4 flex flex-wrap items-center gap-3 border-t bg-background/95 px-4 py-3 backdrop-blur sm:-mx-6 sm:px-6 lg:static lg:col-start-1 lg:row-start-2 lg:mx-0 lg:border-0 lg:bg-transparent lg:p-0 lg:backdrop-blur-none"
        data-testid="action-bar"
      >
        <Button
          size="lg"
          className="flex-1 sm:flex-none"
          onClick={props.onSubmit}
          disabled={files.length === 0 || waitSeconds > 0}
          data-testid="submit"
        >
          <EyeOff aria-hidden />
          {kind === "video"
            ? "Hide faces in the video"
            : files.length > 1
              ? `Hide faces in ${files.length} photos`
              : "Hide faces"}
        </Button>
        {files.length > 0 && (
          <Button variant="ghost" onClick={props.onClear}>
            <Trash2 aria-hidden /> <span className="sr-only sm:not-sr-only">Clear</span>
          </Button>
        )}
      </div>
    </div>
  );
}
