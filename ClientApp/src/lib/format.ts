/** "25 MB", "1.5 MB", "820 KB" */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) {
    const mb = bytes / (1024 * 1024);
    return `${mb >= 10 || Number.isInteger(mb) ? Math.round(mb) : mb.toFixed(1)} MB`;
  }
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

/** "25 MB" from the server's limit in MB. */
export function formatMb(mb: number): string {
  return formatBytes(mb * 1024 * 1024);
}

/** "45 seconds", "5 minutes", "2 min 30 s" */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} second${s === 1 ? "" : "s"}`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  if (rest === 0) return `${m} minute${m === 1 ? "" : "s"}`;
  return `${m} min ${rest} s`;
}

/** "12,345" */
export function formatCount(value: number): string {
  return new Intl.NumberFormat("en").format(value);
}

/** "jpg, png or webp" */
export function listWords(words: string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}
