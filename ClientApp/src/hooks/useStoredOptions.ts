import { useCallback, useState } from "react";
import type { AnonymizeOptions, Mode, Shape } from "@/lib/api";

export const defaultOptions: AnonymizeOptions = { mode: "blur", shape: "ellipse", padding: 0.2, strength: 50 };
const key = "faceblur.options";

/** Reads remembered options, keeping only values the API accepts. */
export function loadOptions(storage: Pick<Storage, "getItem"> | null = safeStorage()): AnonymizeOptions {
  try {
    const raw = storage?.getItem(key);
    if (!raw) return defaultOptions;
    const value = JSON.parse(raw) as Partial<Record<keyof AnonymizeOptions, unknown>>;
    const modes: Mode[] = ["blur", "pixelate", "solid"];
    const shapes: Shape[] = ["ellipse", "rect"];
    return {
      mode: modes.includes(value.mode as Mode) ? (value.mode as Mode) : defaultOptions.mode,
      shape: shapes.includes(value.shape as Shape) ? (value.shape as Shape) : defaultOptions.shape,
      padding: inRange(value.padding, 0, 1) ? (value.padding as number) : defaultOptions.padding,
      strength: inRange(value.strength, 1, 100) ? Math.round(value.strength as number) : defaultOptions.strength,
    };
  } catch {
    return defaultOptions;
  }
}

/** The blur options, remembered between visits (localStorage). */
export function useStoredOptions() {
  const [options, setOptions] = useState<AnonymizeOptions>(() => loadOptions());
  const update = useCallback((patch: Partial<AnonymizeOptions>) => {
    setOptions((current) => {
      const next = { ...current, ...patch };
      try {
        safeStorage()?.setItem(key, JSON.stringify(next));
      } catch {
        /* storage full or disabled: remembered for this visit only */
      }
      return next;
    });
  }, []);
  const reset = useCallback(() => update(defaultOptions), [update]);
  return { options, update, reset };
}

function inRange(value: unknown, min: number, max: number): boolean {
  return typeof value === "number" && Number.isFinite(value) && value >= min && value <= max;
}

function safeStorage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}
