"use client";

// The builder's add-ons: reflective trim, back handle, name patch, leash and
// ID tag, each with its price difference, and disabled with the catalog
// rule's message when a rule forbids it with the other choices.

import { Fragment } from "react";

import { formatCents } from "@/lib/money";
import { formatDelta, type OptionEffect } from "@/lib/options";
import type { SectionProps } from "./builder-parts";
import { optionText } from "./choices";
import { FieldError, invalidProps } from "./field";

/** A checkbox with its label, its price difference and the rule that forbids it. */
function Check({
  id,
  label,
  checked,
  effect,
  onChange,
  errorKey,
  errors,
}: {
  id: string;
  label: string;
  checked: boolean;
  effect: OptionEffect;
  onChange: (checked: boolean) => void;
  errorKey?: string;
  errors: Record<string, string>;
}) {
  const reason = checked ? undefined : effect.forbiddenBy;
  // What the option adds: ticked, the price it is adding now.
  const delta = formatDelta(Math.abs(effect.deltaCents), formatCents);
  const aria = errorKey ? invalidProps(errorKey, errors) : undefined;
  const describedBy = [aria?.["aria-describedby"], `${id}-price`].filter(Boolean).join(" ");
  return (
    <div className="check" data-disabled={reason ? "true" : undefined}>
      <input
        type="checkbox"
        id={id}
        checked={checked}
        disabled={Boolean(reason)}
        onChange={(e) => onChange(e.target.checked)}
        aria-invalid={aria?.["aria-invalid"]}
        aria-describedby={describedBy}
      />
      <label htmlFor={id}>{label}</label>
      <span className="price" id={`${id}-price`} data-delta={effect.deltaCents}>
        {reason ? <span className="why">{reason}</span> : delta}
      </span>
    </div>
  );
}

/** The add-ons that are a plain yes or no. */
const TOGGLES = [
  { key: "reflectiveTrim", label: "Reflective trim" },
  { key: "backHandle", label: "Back handle" },
] as const;

export function ExtrasSection({ catalog, form, errors, set, effect, touch }: SectionProps) {
  const o = catalog.options!;
  const patch = form.namePatch;
  // A patch's thread must differ from the webbing: ticking the box picks a
  // thread colour no rule forbids.
  const threadFor = () =>
    effect({ namePatch: { text: "", threadColor: patch.threadColor } }).forbiddenBy === undefined
      ? patch.threadColor
      : (catalog.colors.find((c) => !effect({ namePatch: { text: "", threadColor: c.color } }).forbiddenBy)?.color ?? patch.threadColor);

  return (
    <fieldset>
      <legend>Options</legend>
      {TOGGLES.map(({ key, label }) => (
        <Fragment key={key}>
          <Check
            id={key}
            label={label}
            checked={form[key]}
            effect={effect({ [key]: !form[key] })}
            onChange={(v) => set(key, v)}
            errorKey={key}
            errors={errors}
          />
          <FieldError name={key} errors={errors} />
        </Fragment>
      ))}

      <Check
        id="namePatch"
        label="Name patch"
        checked={patch.enabled}
        effect={patch.enabled ? effect({ namePatch: undefined }) : effect({ namePatch: { text: "", threadColor: threadFor() } })}
        onChange={(v) => set("namePatch", { ...patch, enabled: v, threadColor: v ? threadFor() : patch.threadColor })}
        errors={errors}
      />
      {patch.enabled ? (
        <div className="row" style={{ alignItems: "start", marginLeft: "1.5rem" }}>
          <div className="field">
            <label htmlFor="namePatchText">Name on the patch</label>
            <input
              id="namePatchText"
              type="text"
              maxLength={40}
              value={patch.text}
              onChange={(e) => set("namePatch", { ...patch, text: e.target.value })}
              onBlur={() => touch("namePatch.text")}
              {...invalidProps("namePatch.text", errors, "namePatchHint")}
            />
            <p className="hint" id="namePatchHint">
              Up to {o.namePatchMaxChars} letters, digits, spaces, hyphens or apostrophes; {formatCents(o.namePatchBaseCents)} for{" "}
              {o.namePatchIncludedChars} characters, {formatCents(o.namePatchExtraCharCents)} each after.
            </p>
            <FieldError name="namePatch.text" errors={errors} />
          </div>
          <div className="field">
            <label htmlFor="threadColor">Thread colour</label>
            <select
              id="threadColor"
              value={patch.threadColor}
              onChange={(e) => set("namePatch", { ...patch, threadColor: Number(e.target.value) })}
              {...invalidProps("namePatch.threadColor", errors)}
            >
              {catalog.colors.map((c) => {
                const e = effect({ namePatch: { text: patch.text, threadColor: c.color } });
                const selected = c.color === patch.threadColor;
                return (
                  <option key={c.color} value={c.color} disabled={!selected && Boolean(e.forbiddenBy)}>
                    {optionText(c.label, e, selected)}
                  </option>
                );
              })}
            </select>
            <FieldError name="namePatch.threadColor" errors={errors} />
          </div>
        </div>
      ) : null}
      <FieldError name="namePatch" errors={errors} />

      <div className="field">
        <label htmlFor="leash">Matching leash</label>
        <select id="leash" value={form.leashMm} onChange={(e) => set("leashMm", Number(e.target.value))} {...invalidProps("leash.lengthMm", errors)}>
          <option value={0} data-delta={effect({ leash: undefined }).deltaCents}>
            {optionText("No leash", effect({ leash: undefined }), form.leashMm === 0)}
          </option>
          {catalog.leashes.map((l) => {
            const e = effect({ leash: { lengthMm: l.lengthMm } });
            return (
              <option key={l.lengthMm} value={l.lengthMm} data-delta={e.deltaCents}>
                {optionText(`${l.lengthMm} mm`, e, form.leashMm === l.lengthMm)}
              </option>
            );
          })}
        </select>
        <FieldError name="leash.lengthMm" errors={errors} />
      </div>

      <Check
        id="idTag"
        label="Engraved ID tag"
        checked={form.idTag.enabled}
        effect={form.idTag.enabled ? effect({ idTag: undefined }) : effect({ idTag: { engraving: "" } })}
        onChange={(v) => set("idTag", { ...form.idTag, enabled: v })}
        errors={errors}
      />
      {form.idTag.enabled ? (
        <div className="field" style={{ marginLeft: "1.5rem" }}>
          <label htmlFor="engraving">Engraving</label>
          <input
            id="engraving"
            type="text"
            maxLength={60}
            value={form.idTag.engraving}
            onChange={(e) => set("idTag", { ...form.idTag, engraving: e.target.value })}
            onBlur={() => touch("idTag.engraving")}
            {...invalidProps("idTag.engraving", errors, "engravingHint")}
          />
          <p className="hint" id="engravingHint">
            Up to {o.idTagMaxChars} letters, digits, spaces, hyphens or apostrophes.
          </p>
          <FieldError name="idTag.engraving" errors={errors} />
        </div>
      ) : null}
    </fieldset>
  );
}
