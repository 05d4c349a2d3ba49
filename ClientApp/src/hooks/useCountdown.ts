import { useEffect, useState } from "react";

/** Whole seconds left until `until` (ms since the epoch), ticking every second; 0 when there is nothing to wait for. */
export function useCountdown(until: number | null, since: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until]);
  return until === null ? 0 : Math.max(0, Math.ceil((until - Math.max(now, since)) / 1000));
}
