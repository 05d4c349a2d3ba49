/**
 * Speed and time left of something that advances (bytes sent, or a job's progress 0..1), from the samples of the last
 * few seconds, so a burst at the start or a stall does not swing the estimate for long.
 */
export class RateMeter {
  private samples: { at: number; done: number }[] = [];

  constructor(private readonly windowMs = 4000) {}

  /** Records that `done` units were reached at time `at` (ms); a value lower than the last one starts over. */
  add(done: number, at: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last && done < last.done) this.samples = [];
    this.samples.push({ at, done });
    const from = at - this.windowMs;
    while (this.samples.length > 2 && (this.samples[1]?.at ?? at) <= from) this.samples.shift();
  }

  /** Units per second, or null until at least half a second of samples shows movement. */
  perSecond(): number | null {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at - first.at < 500 || last.done <= first.done) return null;
    return ((last.done - first.done) * 1000) / (last.at - first.at);
  }

  /** Seconds until `total` at the current speed, or null when it cannot be told yet. */
  secondsLeft(total: number): number | null {
    const speed = this.perSecond();
    const last = this.samples[this.samples.length - 1];
    if (!speed || !last) return null;
    return Math.max(0, (total - last.done) / speed);
  }
}

/** "about 40 s left", "about 3 min left", "a few seconds left" */
export function formatTimeLeft(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "";
  if (seconds < 5) return "a few seconds left";
  if (seconds < 60) return `about ${Math.round(seconds / 5) * 5} s left`;
  if (seconds < 3600) return `about ${Math.round(seconds / 60)} min left`;
  return "more than an hour left";
}

/** "4.2 MB/s", "820 KB/s" */
export function formatSpeed(bytesPerSecond: number | null): string {
  if (bytesPerSecond === null) return "";
  if (bytesPerSecond >= 1024 * 1024) return `${(bytesPerSecond / (1024 * 1024)).toFixed(1)} MB/s`;
  return `${Math.max(1, Math.round(bytesPerSecond / 1024))} KB/s`;
}
