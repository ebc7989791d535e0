"use client";

// The builder's material, hardware and colour sections.

import { Color } from "@/lib/harness";
import type { SectionProps } from "./builder-parts";
import { Choices, optionText } from "./choices";
import { FieldError, invalidProps } from "./field";

export function MaterialSection({ catalog, form, errors, set, effect }: SectionProps) {
  return (
    <fieldset>
      <legend>Material and hardware</legend>
      <span className="label" id="material-label">
        Material
      </span>
      <Choices
        field="material"
        labelledBy="material-label"
        choices={catalog.materials.map((m) => ({ value: m.material, label: m.label, effect: effect({ material: m.material }) }))}
        value={form.material}
        onChange={(v) => set("material", v)}
        errors={errors}
      />
      <span className="label" id="hardware-label" style={{ marginTop: "0.75rem" }}>
        Hardware
      </span>
      <Choices
        field="hardware"
        labelledBy="hardware-label"
        choices={catalog.hardware.map((h) => ({ value: h.hardware, label: h.label, effect: effect({ hardware: h.hardware }) }))}
        value={form.hardware}
        onChange={(v) => set("hardware", v)}
        errors={errors}
      />
    </fieldset>
  );
}

export function ColourSection({ catalog, form, errors, set, effect }: SectionProps) {
  return (
    <fieldset>
      <legend>Colours</legend>
      <span className="label" id="webbing-label">
        Webbing colour
      </span>
      <Choices
        field="webbingColor"
        labelledBy="webbing-label"
        choices={catalog.colors.map((c) => ({
          value: c.color,
          label: (
            <>
              <span className="swatch" style={{ background: c.hex }} aria-hidden="true" />
              {c.label}
            </>
          ),
          effect: effect({ webbingColor: c.color }),
        }))}
        value={form.webbingColor}
        onChange={(v) => set("webbingColor", v)}
        errors={errors}
      />
      <div className="field">
        <label htmlFor="trimColor">Trim colour</label>
        <select
          id="trimColor"
          value={form.trimColor}
          onChange={(e) => set("trimColor", Number(e.target.value))}
          {...invalidProps("trimColor", errors)}
        >
          <option value={Color.UNSPECIFIED}>No trim</option>
          {catalog.colors.map((c) => {
            const e = effect({ trimColor: c.color });
            const selected = c.color === form.trimColor;
            return (
              <option key={c.color} value={c.color} disabled={!selected && Boolean(e.forbiddenBy)}>
                {optionText(c.label, e, selected)}
              </option>
            );
          })}
        </select>
        <FieldError name="trimColor" errors={errors} />
      </div>
      <p className="hint">Colours are included in the price.</p>
    </fieldset>
  );
}
