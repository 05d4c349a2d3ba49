import { AlertCircle, Loader2, ShieldCheck } from "lucide-react";
import { describeError } from "@/lib/errors";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";

/** The page's title and its promise. */
export function Intro() {
  return (
    <div className="flex flex-col gap-2">
      <h1 className="text-2xl font-bold tracking-tight text-balance sm:text-3xl">Hide faces in photos and videos</h1>
      <p className="flex items-center gap-2 text-muted-foreground">
        <ShieldCheck className="size-4 shrink-0 text-success" aria-hidden />
        Processed on this server; metadata is stripped and files are deleted once you download them.
      </p>
    </div>
  );
}

/** Something the page is waiting for ("Loading…"). */
export function Waiting({ children }: { children: string }) {
  return (
    <div className="flex items-center gap-2 text-muted-foreground">
      <Loader2 className="size-4 animate-spin" aria-hidden /> {children}
    </div>
  );
}

/** A problem the page cannot go on without solving (the server's limits could not be read, the result not opened). */
export function Blocked({ error, retrying }: { error: unknown; retrying?: boolean }) {
  const problem = describeError(error);
  return (
    <Alert variant="destructive" data-testid="error">
      <AlertCircle aria-hidden />
      <AlertTitle>{problem.title}</AlertTitle>
      <AlertDescription>
        {problem.description}
        {retrying && " Retrying…"}
      </AlertDescription>
    </Alert>
  );
}
