import type { Stats } from "@/lib/api";
import { formatCount } from "@/lib/format";

function plural(count: number, one: string, many: string): string {
  return count === 1 ? one : many;
}

export function SiteFooter({ stats }: { stats: Stats | null }) {
  return (
    <footer className="border-t">
      <div className="mx-auto flex max-w-6xl flex-col gap-3 px-4 py-6 text-sm text-muted-foreground sm:flex-row sm:items-center sm:justify-between sm:px-6">
        {stats ? (
          <p data-testid="stats">
            <strong className="font-semibold text-foreground">{formatCount(stats.total_faces)}</strong>{" "}
            {plural(stats.total_faces, "face", "faces")} hidden in{" "}
            <strong className="font-semibold text-foreground">{formatCount(stats.total_images)}</strong>{" "}
            {plural(stats.total_images, "photo", "photos")} and{" "}
            <strong className="font-semibold text-foreground">{formatCount(stats.total_videos)}</strong>{" "}
            {plural(stats.total_videos, "video", "videos")}
          </p>
        ) : (
          <p>Your files stay on this server and are deleted after processing.</p>
        )}
        <nav aria-label="Developer links" className="flex gap-4">
          <a className="underline-offset-4 hover:text-foreground hover:underline" href="/api-reference">
            API reference
          </a>
          <a className="underline-offset-4 hover:text-foreground hover:underline" href="/health">
            Health
          </a>
        </nav>
      </div>
    </footer>
  );
}
