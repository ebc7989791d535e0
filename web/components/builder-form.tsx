"use client";

// The harness builder: every option of the catalog with its price difference
// and the catalog rules that forbid it, the contract's rules checked in the
// page (no request while one is broken), the price from the server's Quote
// (the last one stays on screen, marked, while a field is being fixed), a
// live picture of the design, and the design kept in the address.

import { useEffect, useMemo, useRef, useState } from "react";
import { skipToken, useQuery } from "@connectrpc/connect-query";
import { keepPreviousData } from "@tanstack/react-query";
import { validateDesign } from "@harnesshero/client/validation";

import { errorsByField, toDesign, type DesignForm } from "@/lib/design";
import { builderSearch } from "@/lib/design-url";
import { CatalogService, Code, violationsOf, type Catalog, type LineQuote } from "@/lib/harness";
import { effectsOf } from "@/lib/options";
import type { SectionProps } from "./builder-parts";
import { MaterialSection, ColourSection } from "./builder-look";
import { SizeSection, StyleSection } from "./builder-cut";
import { ExtrasSection } from "./builder-extras";
import { SaveCard, SaveActions, useSaver, type Opened } from "./builder-save";
import { FieldError, invalidProps } from "./field";
import { HarnessPicture } from "./harness-picture";
import { PriceBar } from "./price-bar";
import { PricePanel, type PriceState } from "./price-panel";

// Fields typed letter by letter: their error shows from their first blur
// (or a save), not while the first characters are typed.
const TYPED = ["namePatch.text", "idTag.engraving", "measurements.chestGirthMm", "measurements.neckGirthMm"];

export function BuilderForm({
  catalog,
  initial,
  opened: openedAtStart,
}: {
  catalog: Catalog;
  initial: { form: DesignForm; quantity: string };
  opened?: Opened & { form: DesignForm };
}) {
  const [form, setForm] = useState<DesignForm>(initial.form);
  const [quantityText, setQuantityText] = useState(initial.quantity);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [last, setLast] = useState<LineQuote | undefined>(undefined);
  // A field left by pressing another control shows its error once the
  // press is over: shown at once, it would move that control away from under
  // the pointer before the click lands.
  const pressing = useRef(false);
  const leftWhilePressing = useRef<string[]>([]);
  useEffect(() => {
    const down = () => {
      pressing.current = true;
    };
    const up = () =>
      setTimeout(() => {
        pressing.current = false;
        const left = leftWhilePressing.current;
        leftWhilePressing.current = [];
        if (left.length > 0) setTouched((t) => new Set([...t, ...left]));
      }, 0);
    document.addEventListener("pointerdown", down, true);
    document.addEventListener("pointerup", up, true);
    return () => {
      document.removeEventListener("pointerdown", down, true);
      document.removeEventListener("pointerup", up, true);
    };
  }, []);

  const { design, errors: formErrors } = useMemo(() => toDesign(form), [form]);
  const local = useMemo(() => validateDesign(design), [design]);
  const { minQuantity, maxQuantity } = catalog.pricing!;
  const quantity = /^\d+$/.test(quantityText) ? Number(quantityText) : NaN;
  const quantityError =
    Number.isInteger(quantity) && quantity >= minQuantity && quantity <= maxQuantity ? "" : `Choose a quantity from ${minQuantity} to ${maxQuantity}.`;
  const localErrors = { ...errorsByField(local.violations), ...formErrors, ...(quantityError ? { quantity: quantityError } : {}) };
  const valid = Object.keys(localErrors).length === 0;

  // The price: asked only for a design that passes the contract's rules.
  const quote = useQuery(CatalogService.method.quote, valid ? { design, quantity } : skipToken, { placeholderData: keepPreviousData });
  const serverErrors =
    valid && quote.error?.code === Code.InvalidArgument && !quote.isPlaceholderData
      ? errorsByField(violationsOf(quote.error, { relativeTo: "design" }))
      : {};
  const errors = { ...serverErrors, ...localErrors };
  const priced = valid && !quote.error && quote.data?.quote && !quote.isPlaceholderData ? quote.data.quote : undefined;
  if (priced && priced !== last) setLast(priced);
  const state: PriceState = priced ? "fresh" : valid && !quote.error ? "pending" : "invalid";

  const saver = useSaver({ design, quantity, quantityText, valid, opened: openedAtStart, form });
  // Typed fields show their errors once visited, or once a save was tried.
  const shown = Object.fromEntries(
    Object.entries(errors).filter(([k]) => !TYPED.includes(k) || touched.has(k) || saver.attempted),
  );
  const waitingForText = !valid && Object.keys(errors).every((k) => TYPED.includes(k) && !(touched.has(k) || saver.attempted));

  // The design in progress lives in the address: a reload or Back keeps it.
  const search = builderSearch(saver.opened?.id, design, quantityText);
  useEffect(() => {
    if (window.location.search !== search) window.history.replaceState(window.history.state, "", `/${search}`);
  }, [search]);

  const effects = useMemo(() => effectsOf(catalog, design), [catalog, design]);

  const props: SectionProps = {
    catalog,
    form,
    design,
    errors: shown,
    set: (key, value) => {
      saver.clearNotice();
      setForm((f) => ({ ...f, [key]: value }));
    },
    effect: effects,
    touch: (field) => {
      if (pressing.current) leftWhilePressing.current.push(field);
      else setTouched((t) => (t.has(field) ? t : new Set([...t, field])));
    },
  };
  const hint = waitingForText ? "Type the text to price it; this is the price without it." : undefined;

  return (
    <div className="grid-2 builder">
      <form aria-label="Harness design" noValidate onSubmit={(e) => e.preventDefault()}>
        <StyleSection {...props} />
        <SizeSection {...props} />
        <MaterialSection {...props} />
        <ColourSection {...props} />
        <ExtrasSection {...props} />
        <fieldset>
          <legend>How many</legend>
          <div className="field">
            <label htmlFor="quantity">Quantity</label>
            <input
              id="quantity"
              type="number"
              inputMode="numeric"
              min={minQuantity}
              max={maxQuantity}
              value={quantityText}
              onChange={(e) => setQuantityText(e.target.value)}
              {...invalidProps("quantity", shown, "quantityHint")}
            />
            <p className="hint" id="quantityHint">
              {catalog.pricing!.discountPercent}% off a line from {catalog.pricing!.discountMinQuantity} pieces.
            </p>
            <FieldError name="quantity" errors={shown} />
          </div>
        </fieldset>
      </form>

      <aside className="sticky stack" aria-label="Your harness, its price and saving">
        <div className="card picture-card">
          <HarnessPicture catalog={catalog} design={design} id="builder" />
        </div>
        <PricePanel quote={priced} stale={last} state={state} hint={hint} />
        {quote.error && quote.error.code !== Code.InvalidArgument ? (
          <p className="alert" role="alert">
            The price could not be fetched: {quote.error.rawMessage}
          </p>
        ) : null}
        <SaveCard saver={saver} valid={valid} />
      </aside>
      <PriceBar quote={priced} stale={last} state={state}>
        <SaveActions saver={saver} valid={valid} compact />
      </PriceBar>
    </div>
  );
}
