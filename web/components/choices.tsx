"use client";

// A radio group of the builder: one choice per catalog option, each with its
// price difference against the current choice and, when a catalog rule
// forbids it with the other choices, disabled with the rule's message.

import type { ReactNode } from "react";

import { formatCents } from "@/lib/money";
import { formatDelta, type OptionEffect } from "@/lib/options";
import { FieldError, invalidProps } from "./field";

export interface Choice<V extends number> {
  value: V;
  label: ReactNode;
  effect: OptionEffect;
}

export function Choices<V extends number>({
  field,
  labelledBy,
  choices,
  value,
  onChange,
  errors,
}: {
  field: string;
  labelledBy: string;
  choices: Choice<V>[];
  value: V;
  onChange: (value: V) => void;
  errors: Record<string, string>;
}) {
  return (
    <>
      <div className="choices" role="radiogroup" aria-labelledby={labelledBy} {...invalidProps(field, errors)}>
        {choices.map((c) => {
          const selected = c.value === value;
          const reason = selected ? undefined : c.effect.forbiddenBy;
          const delta = selected ? "" : formatDelta(c.effect.deltaCents, formatCents);
          return (
            <label key={c.value} className="choice" data-disabled={reason ? "true" : undefined}>
              <input
                type="radio"
                name={field}
                value={c.value}
                checked={selected}
                disabled={Boolean(reason)}
                onChange={() => onChange(c.value)}
              />
              {c.label}
              {delta ? (
                <span className="price" data-delta={c.effect.deltaCents}>
                  {delta}
                </span>
              ) : null}
              {reason ? (
                <span className="why" data-rule-message>
                  {reason}
                </span>
              ) : null}
            </label>
          );
        })}
      </div>
      <FieldError name={field} errors={errors} />
    </>
  );
}

/** An option of a select: its text with the price difference, or the rule that forbids it. */
export function optionText(label: string, effect: OptionEffect, selected: boolean): string {
  if (selected) return label;
  if (effect.forbiddenBy) return `${label} — not available: ${effect.forbiddenBy}`;
  const delta = formatDelta(effect.deltaCents, formatCents);
  return delta ? `${label} (${delta})` : label;
}
