import { useCallback, useEffect, useState } from "react";
import { api, type ApiClient, type Health, type Limits, type QueueInfo, type Stats } from "@/lib/api";

export interface ServerStatus {
  limits: Limits | null;
  limitsError: unknown;
  /** null until the first answer; "down" when /health could not be reached at all. */
  health: Health | "down" | null;
  queue: QueueInfo | null;
  /** null while unknown or when this server has no /stats. */
  stats: Stats | null;
  refreshStats: () => void;
  /** Asks /health and /queue again now (say, right after a job was queued). */
  refreshNow: () => void;
}

/** Limits (retried until they load), health and queue (refreshed every `intervalMs`) and vanity stats. */
export function useServerStatus(client: ApiClient = api, intervalMs = 10_000): ServerStatus {
  const [limits, setLimits] = useState<Limits | null>(null);
  const [limitsError, setLimitsError] = useState<unknown>(null);
  const [health, setHealth] = useState<Health | "down" | null>(null);
  const [queue, setQueue] = useState<QueueInfo | null>(null);
  const [stats, setStats] = useState<Stats | null>(null);
  const [statsTick, setStatsTick] = useState(0);
  const [statusTick, setStatusTick] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = (delay: number) => {
      client.getLimits(controller.signal).then(
        (value) => {
          setLimits(value);
          setLimitsError(null);
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          setLimitsError(error);
          timer = setTimeout(() => load(Math.min(delay * 2, 30_000)), delay);
        },
      );
    };
    load(2000);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [client]);

  useEffect(() => {
    const controller = new AbortController();
    const refresh = () => {
      if (typeof document !== "undefined" && document.visibilityState === "hidden") return;
      client.getHealth(controller.signal).then(setHealth, () => !controller.signal.aborted && setHealth("down"));
      client.getQueue(controller.signal).then(setQueue, () => !controller.signal.aborted && setQueue(null));
    };
    refresh();
    const timer = setInterval(refresh, intervalMs);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [client, intervalMs, statusTick]);

  useEffect(() => {
    const controller = new AbortController();
    client.getStats(controller.signal).then(setStats, () => !controller.signal.aborted && setStats(null));
    return () => controller.abort();
  }, [client, statsTick]);

  const refreshStats = useCallback(() => setStatsTick((t) => t + 1), []);
  const refreshNow = useCallback(() => setStatusTick((t) => t + 1), []);
  return { limits, limitsError, health, queue, stats, refreshStats, refreshNow };
}
