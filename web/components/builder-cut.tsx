"use client";

// The builder's style and size sections.

import { formatCents } from "@/lib/money";
import type { SectionProps } from "./builder-parts";
import { Choices, optionText } from "./choices";
import { FieldError, invalidProps } from "./field";
import { SizeAdvice } from "./size-advice";

export function StyleSection({ catalog, form, errors, set, effect }: SectionProps) {
  return (
    <fieldset>
      <legend id="style-label">Style</legend>
      <Choices
        field="style"
        labelledBy="style-label"
        choices={catalog.styles.map((s) => ({ value: s.style, label: s.label, effect: effect({ style: s.style }) }))}
        value={form.style}
        onChange={(v) => set("style", v)}
        errors={errors}
      />
      <p className="hint">From {formatCents(Math.min(...catalog.styles.map((s) => s.basePriceCents)))}; prices shown are the difference to your choice.</p>
    </fieldset>
  );
}

export function SizeSection({ catalog, form, errors, set, effect, touch }: SectionProps) {
  return (
    <fieldset>
      <legend>Size and fit</legend>
      <div className="field">
        <label htmlFor="size">Size</label>
        <select
          id="size"
          value={form.size}
          onChange={(e) => set("size", Number(e.target.value))}
          {...invalidProps("size", errors, "size-hint")}
        >
          {catalog.sizes.map((s) => {
            const e = effect({ size: s.size });
            const selected = s.size === form.size;
            return (
              <option key={s.size} value={s.size} disabled={!selected && Boolean(e.forbiddenBy)} data-delta={e.deltaCents}>
                {optionText(`${s.label} — chest ${s.chestMinMm}–${s.chestMaxMm} mm, neck ${s.neckMinMm}–${s.neckMaxMm} mm`, e, selected)}
              </option>
            );
          })}
        </select>
        <FieldError name="size" errors={errors} />
      </div>
      <SizeAdvice
        catalog={catalog}
        form={form}
        errors={errors}
        onMeasurements={(m) => set("measurements", m)}
        onUseSize={(size) => set("size", size)}
        onBlur={touch}
      />
    </fieldset>
  );
}
