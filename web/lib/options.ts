// What each choice of the builder would do, from the catalog alone: its
// price difference against the current design (the catalog's prices, summed
// as the server's Quote sums them) and the catalog rule it would break (the
// contract's own rules, run on the design with that choice; the message is
// the catalog's CatalogRule description). Pure functions, no request.

import { validateDesign } from "@harnesshero/client/validation";

import { sentence } from "./design";
import type { Catalog, DesignSchema, MessageInitShape } from "./harness";

export type DesignInit = MessageInitShape<typeof DesignSchema>;

/** The number of characters of s as the catalog counts them (code points). */
function chars(s: string): number {
  return [...s].length;
}

/**
 * The unit price of a design from the catalog's prices: style base + size
 * adjustment + material + hardware + each option chosen. Unknown values add
 * nothing (the rules report them).
 */
export function unitPriceCents(catalog: Catalog, d: DesignInit): number {
  const o = catalog.options!;
  let cents =
    (catalog.styles.find((s) => s.style === d.style)?.basePriceCents ?? 0) +
    (catalog.sizes.find((s) => s.size === d.size)?.priceAdjustmentCents ?? 0) +
    (catalog.materials.find((m) => m.material === d.material)?.priceCents ?? 0) +
    (catalog.hardware.find((h) => h.hardware === d.hardware)?.priceCents ?? 0);
  if (d.reflectiveTrim) cents += o.reflectiveTrimCents;
  if (d.backHandle) cents += o.backHandleCents;
  if (d.namePatch) {
    const extra = Math.max(0, chars(d.namePatch.text ?? "") - o.namePatchIncludedChars);
    cents += o.namePatchBaseCents + extra * o.namePatchExtraCharCents;
  }
  if (d.leash) cents += catalog.leashes.find((l) => l.lengthMm === d.leash?.lengthMm)?.priceCents ?? 0;
  if (d.idTag) cents += o.idTagCents;
  return cents;
}

/** What one choice would do to the current design. */
export interface OptionEffect {
  /** The unit price with the choice minus the unit price now, in cents. */
  deltaCents: number;
  /** The catalog rule's message when the choice would break a rule the design keeps now. */
  forbiddenBy?: string;
}

/**
 * The effect of applying change to design. A choice is forbidden when the
 * design with it breaks a catalog rule (an id of catalog.rules) that the
 * design does not break now; the rules themselves are the contract's
 * (protovalidate), their words the catalog's.
 */
export function effectOf(catalog: Catalog, design: DesignInit, change: Partial<DesignInit>): OptionEffect {
  const next = { ...design, ...change } as DesignInit;
  const deltaCents = unitPriceCents(catalog, next) - unitPriceCents(catalog, design);
  const rules = new Map(catalog.rules.map((r) => [r.id, r.description]));
  const now = new Set(validateDesign(design).violations.map((v) => v.ruleId));
  const broken = validateDesign(next).violations.find((v) => rules.has(v.ruleId) && !now.has(v.ruleId));
  return broken ? { deltaCents, forbiddenBy: sentence(rules.get(broken.ruleId)!) } : { deltaCents };
}

/**
 * effectOf for one design, remembered per change: a page asks for the same
 * change more than once while it renders.
 */
export function effectsOf(catalog: Catalog, design: DesignInit): (change: Partial<DesignInit>) => OptionEffect {
  const seen = new Map<string, OptionEffect>();
  return (change) => {
    // undefined kept (as null): {leash: undefined} and {idTag: undefined} differ.
    const key = JSON.stringify(change, (_k, v: unknown) => (v === undefined ? null : v));
    let e = seen.get(key);
    if (!e) seen.set(key, (e = effectOf(catalog, design, change)));
    return e;
  };
}

/** A price difference for display: "+$8.00", "−$4.00", or "" for none. */
export function formatDelta(cents: number, format: (c: number) => string): string {
  if (cents === 0) return "";
  return cents > 0 ? `+${format(cents)}` : format(cents);
}
