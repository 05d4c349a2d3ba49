import * as React from "react";
import { Slider as SliderPrimitive } from "radix-ui";
import { cn } from "@/lib/utils";

export interface SliderProps extends React.ComponentProps<typeof SliderPrimitive.Root> {
  /** What a screen reader says for the value ("20%"), instead of the bare number. */
  valueText?: string;
}

/** A slider whose name and value text sit on its thumb (the element with role="slider"), once. */
export function Slider({
  className,
  valueText,
  "aria-label": label,
  "aria-labelledby": labelledBy,
  ...props
}: SliderProps) {
  const values = props.value ?? props.defaultValue ?? [props.min ?? 0];
  return (
    <SliderPrimitive.Root
      data-slot="slider"
      className={cn(
        "relative flex w-full touch-none items-center py-2 select-none data-disabled:opacity-50",
        className,
      )}
      {...props}
    >
      <SliderPrimitive.Track className="relative h-1.5 w-full grow overflow-hidden rounded-full bg-secondary">
        <SliderPrimitive.Range className="absolute h-full bg-primary" />
      </SliderPrimitive.Track>
      {values.map((_, i) => (
        <SliderPrimitive.Thumb
          key={i}
          aria-label={label}
          aria-labelledby={labelledBy}
          aria-valuetext={valueText}
          className="block size-5 rounded-full border-2 border-primary bg-card shadow-sm transition-[box-shadow] outline-none hover:ring-4 hover:ring-ring/30 focus-visible:ring-4 focus-visible:ring-ring/50"
        />
      ))}
    </SliderPrimitive.Root>
  );
}
