import { Moon, MonitorSmartphone, ScanFace, Sun } from "lucide-react";
import type { Health, QueueInfo } from "@/lib/api";
import type { ThemeChoice } from "@/hooks/useTheme";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";

interface Props {
  health: Health | "down" | null;
  queue: QueueInfo | null;
  theme: ThemeChoice;
  dark: boolean;
  onCycleTheme: () => void;
}

export function SiteHeader({ health, queue, theme, dark, onCycleTheme }: Props) {
  const themeLabel = theme === "system" ? `Theme: system (${dark ? "dark" : "light"})` : `Theme: ${theme}`;
  const ThemeIcon = theme === "system" ? MonitorSmartphone : dark ? Moon : Sun;
  return (
    <header className="border-b bg-card/70 backdrop-blur supports-[backdrop-filter]:bg-card/60">
      <div className="mx-auto flex max-w-6xl items-center gap-3 px-4 py-3 sm:px-6">
        <a
          href="/"
          className="flex items-center gap-2 rounded-md font-semibold outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
        >
          <span className="grid size-8 place-items-center rounded-lg bg-primary text-primary-foreground">
            <ScanFace className="size-5" aria-hidden />
          </span>
          <span className="text-lg tracking-tight">FaceBlur</span>
        </a>
        <div className="ml-auto flex items-center gap-2">
          <StatusBadge health={health} />
          {queue?.available && (
            <Badge variant="outline" className="hidden sm:inline-flex" data-testid="queue-badge">
              {queue.queued === 0 && queue.processing === 0
                ? "Queue empty"
                : `${queue.processing} processing · ${queue.queued} waiting`}
            </Badge>
          )}
          <Button variant="ghost" size="icon" onClick={onCycleTheme} aria-label={themeLabel} title={themeLabel}>
            <ThemeIcon aria-hidden />
          </Button>
        </div>
      </div>
    </header>
  );
}

function StatusBadge({ health }: { health: Health | "down" | null }) {
  if (health === null) {
    return <Badge variant="outline">Connecting…</Badge>;
  }
  if (health === "down") {
    return (
      <Badge variant="destructive" role="status" data-testid="status-badge">
        <Dot /> Offline
      </Badge>
    );
  }
  return health.ok ? (
    <Badge variant="success" role="status" data-testid="status-badge" title={health.message}>
      <Dot /> Online
    </Badge>
  ) : (
    <Badge variant="warning" role="status" data-testid="status-badge" title={health.message}>
      <Dot /> Degraded
    </Badge>
  );
}

function Dot() {
  return <span className="size-1.5 rounded-full bg-current" aria-hidden />;
}
