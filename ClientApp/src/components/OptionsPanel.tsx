import { Circle, RotateCcw, Square } from "lucide-react";
import { useId, type ReactNode } from "react";
import type { AnonymizeOptions, Mode, Shape } from "@/lib/api";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { Slider } from "@/components/ui/slider";
import { ToggleGroup, ToggleGroupItem } from "@/components/ui/toggle-group";
import { ModeHint } from "./ModeHint";

const modeNames: Record<Mode, string> = { blur: "Blur", pixelate: "Pixelate", solid: "Solid" };
const shapeNames: Record<Shape, string> = { ellipse: "Ellipse", rect: "Rectangle" };

interface Props {
  options: AnonymizeOptions;
  modes: Mode[];
  shapes: Shape[];
  disabled?: boolean;
  onChange: (patch: Partial<AnonymizeOptions>) => void;
  onReset: () => void;
  /** Said under the title ("Remembered on this device."). */
  description?: string;
  children?: ReactNode;
}

/** Mode, shape, padding and strength. Each group has one name: its visible label. */
export function OptionsPanel({ options, modes, shapes, disabled, onChange, onReset, description, children }: Props) {
  const id = useId();
  return (
    <Card>
      <CardHeader className="flex-row items-start justify-between">
        <div className="flex flex-col gap-1">
          <CardTitle>How to hide faces</CardTitle>
          <CardDescription>{description ?? "Remembered on this device."}</CardDescription>
        </div>
        <Button variant="ghost" size="sm" onClick={onReset} disabled={disabled}>
          <RotateCcw aria-hidden /> Reset
        </Button>
      </CardHeader>
      <CardContent className="flex flex-col gap-6">
        <div className="flex flex-col gap-2">
          <span id={`${id}-mode`} className="text-sm font-medium">
            Mode
          </span>
          <ToggleGroup
            type="single"
            value={options.mode}
            onValueChange={(v) => v && onChange({ mode: v as Mode })}
            aria-labelledby={`${id}-mode`}
            disabled={disabled}
            className="h-auto"
          >
            {modes.map((mode) => (
              <ToggleGroupItem key={mode} value={mode} className="flex-col gap-1.5 px-1 py-2">
                <ModeHint mode={mode} shape={options.shape} />
                {modeNames[mode]}
              </ToggleGroupItem>
            ))}
          </ToggleGroup>
        </div>
        <div className="flex flex-col gap-2">
          <span id={`${id}-shape`} className="text-sm font-medium">
            Shape
          </span>
          <ToggleGroup
            type="single"
            value={options.shape}
            onValueChange={(v) => v && onChange({ shape: v as Shape })}
            aria-labelledby={`${id}-shape`}
            disabled={disabled}
          >
            {shapes.map((shape) => (
              <ToggleGroupItem key={shape} value={shape}>
                {shape === "ellipse" ? (
                  <Circle className="size-4" aria-hidden />
                ) : (
                  <Square className="size-4" aria-hidden />
                )}
                {shapeNames[shape]}
              </ToggleGroupItem>
            ))}
          </ToggleGroup>
        </div>
        <div className="flex flex-col gap-2">
          <div className="flex items-center justify-between">
            <Label id={`${id}-padding`}>Padding</Label>
            <span className="text-sm text-muted-foreground tabular-nums">{Math.round(options.padding * 100)}%</span>
          </div>
          <Slider
            aria-labelledby={`${id}-padding`}
            valueText={`${Math.round(options.padding * 100)}%`}
            min={0}
            max={100}
            step={5}
            value={[Math.round(options.padding * 100)]}
            onValueChange={([v]) => v !== undefined && onChange({ padding: v / 100 })}
            disabled={disabled}
          />
          <p className="text-xs text-muted-foreground">
            Extra margin around each face, so hair and ears are covered too.
          </p>
        </div>
        <div className="flex flex-col gap-2">
          <div className="flex items-center justify-between">
            <Label id={`${id}-strength`}>Strength</Label>
            <span className="text-sm text-muted-foreground tabular-nums">{options.strength}</span>
          </div>
          <Slider
            aria-labelledby={`${id}-strength`}
            valueText={options.mode === "solid" ? "does not apply to a solid fill" : `${options.strength} of 100`}
            min={1}
            max={100}
            step={1}
            value={[options.strength]}
            onValueChange={([v]) => v !== undefined && onChange({ strength: v })}
            disabled={disabled || options.mode === "solid"}
          />
          <p className="text-xs text-muted-foreground">
            {options.mode === "solid"
              ? "A solid fill hides everything; strength does not apply."
              : options.mode === "pixelate"
                ? "Larger blocks hide more."
                : "A stronger blur hides more."}
          </p>
        </div>
        {children}
      </CardContent>
    </Card>
  );
}
