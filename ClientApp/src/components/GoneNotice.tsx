import { Info, RefreshCw } from "lucide-react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { FocusHeading } from "./FocusHeading";

interface Props {
  /** This page downloaded the result before it was reloaded (it knows, from session storage). */
  downloadedHere: boolean;
  /** The page still has the originals and the regions: the same result can be made again. */
  canRemake: boolean;
  onRemake: () => void;
}

/** A reload after the result was downloaded: the server served it once and deleted it, and says so plainly. */
export function GoneNotice({ downloadedHere, canRemake, onRemake }: Props) {
  return (
    <Alert variant="warning" data-testid="result-gone" role="status">
      <Info aria-hidden />
      <AlertTitle>
        <FocusHeading className="text-sm font-semibold">The server has deleted this result</FocusHeading>
      </AlertTitle>
      <AlertDescription className="flex flex-col items-start gap-3">
        <p>
          {downloadedHere
            ? "This page downloaded it before it was reloaded, and the server deletes a result as soon as it has been downloaded. The copy this page held was lost with the reload. If you saved it, it is in your downloads."
            : "It was already downloaded (perhaps in another tab), and the server deletes a result as soon as it has been downloaded."}{" "}
          {canRemake
            ? "Your files are still in this page: you can make the same result again."
            : "To get it again, process the files again."}
        </p>
        {canRemake && (
          <Button size="sm" onClick={onRemake} data-testid="remake">
            <RefreshCw aria-hidden /> Make it again
          </Button>
        )}
      </AlertDescription>
    </Alert>
  );
}
