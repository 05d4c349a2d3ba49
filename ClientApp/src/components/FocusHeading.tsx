import { useEffect, useRef, type ComponentProps } from "react";
import { cn } from "@/lib/utils";

/**
 * The heading of a state of the page (progress, result, error). When the page moves to that state because of
 * something the person did, focus moves to its heading, so keyboard and screen-reader users land on what is new
 * instead of the page's body.
 */
export function FocusHeading({ focus, className, ...props }: ComponentProps<"h2"> & { focus?: boolean }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focus) ref.current?.focus();
    // Focus once, when the state appears.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return <h2 ref={ref} tabIndex={-1} className={cn("outline-none", className)} {...props} />;
}
