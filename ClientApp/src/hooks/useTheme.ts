import { useCallback, useEffect, useState } from "react";

export type ThemeChoice = "system" | "light" | "dark";
const key = "faceblur.theme";

function systemDark(): boolean {
  return typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches;
}

function stored(): ThemeChoice {
  try {
    const value = localStorage.getItem(key);
    return value === "light" || value === "dark" ? value : "system";
  } catch {
    return "system";
  }
}

/** Light/dark theme: follows the system until the person picks one, which is remembered. */
export function useTheme() {
  const [choice, setChoice] = useState<ThemeChoice>(stored);
  const [dark, setDark] = useState(() => (choice === "system" ? systemDark() : choice === "dark"));

  useEffect(() => {
    const media = typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : null;
    const apply = () => setDark(choice === "system" ? systemDark() : choice === "dark");
    apply();
    if (choice !== "system" || !media) return;
    media.addEventListener("change", apply);
    return () => media.removeEventListener("change", apply);
  }, [choice]);

  useEffect(() => {
    document.documentElement.classList.toggle("dark", dark);
  }, [dark]);

  /** Light → dark → system (the order a cycling button offers them in). */
  const cycle = useCallback(() => {
    setChoice((current) => {
      const next: ThemeChoice =
        current === "system" ? (systemDark() ? "light" : "dark") : current === "light" ? "dark" : "system";
      try {
        if (next === "system") localStorage.removeItem(key);
        else localStorage.setItem(key, next);
      } catch {
        /* private mode: the choice lasts for this visit */
      }
      return next;
    });
  }, []);

  return { choice, dark, cycle };
}
