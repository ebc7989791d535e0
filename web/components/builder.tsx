"use client";

// The harness builder: every option of the catalog, the contract's rules
// checked in the page as options change (no request while a rule is broken),
// the price from the server's Quote, size advice from measurements, and
// saving to the user's designs (a new design with an idempotency key, so a
// retried save saves once).

import { useEffect, useMemo, useState } from "react";
import Link from "next/link";
import { skipToken, useMutation, useQuery } from "@connectrpc/connect-query";
import { keepPreviousData, useQueryClient } from "@tanstack/react-query";

import { useSession } from "@/app/providers";
import { addToCart } from "@/lib/cart";
import { getCart, saveCart } from "@/lib/cart-store";
import { DEFAULT_FORM, errorsByField, fromDesign, toDesign, type DesignForm } from "@/lib/design";
import { forgetIdempotencyKey, idempotencyKey } from "@/lib/idempotency";
import {
  CatalogService,
  Code,
  ConnectError,
  DesignService,
  Color,
  violationsOf,
  type Catalog,
  type SavedDesign,
} from "@/lib/harness";
import { validateDesign } from "@harnesshero/client/validation";
import { FieldError, invalidProps } from "./field";
import { PricePanel } from "./price-panel";
import { SizeAdvice } from "./size-advice";

type Opened = Pick<SavedDesign, "id" | "name" | "version">;

// The idempotency key of a save as a new design: kept while the same design
// is saved again after a failure, so a retry cannot save it twice.
const CREATE_KEY = "harness.create-design";

export function Builder({ catalog, designId }: { catalog: Catalog; designId?: string }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<DesignForm>(DEFAULT_FORM);
  const [quantityText, setQuantityText] = useState("1");
  const [name, setName] = useState("");
  const [opened, setOpened] = useState<Opened | null>(null);
  const [openedJson, setOpenedJson] = useState("");
  const [notice, setNotice] = useState("");
  const [saveError, setSaveError] = useState("");

  // Opening a saved design (?design=ID) fills the form once it arrives.
  const saved = useQuery(DesignService.method.getDesign, designId && session ? { id: designId } : skipToken);
  useEffect(() => {
    const d = saved.data?.design;
    if (d?.design && d.id !== opened?.id) {
      const f = fromDesign(d.design);
      setForm(f);
      setName(d.name);
      setOpened({ id: d.id, name: d.name, version: d.version });
      setOpenedJson(JSON.stringify(toDesign(f).design));
    }
  }, [saved.data, opened?.id]);

  const { design, errors: formErrors } = useMemo(() => toDesign(form), [form]);
  const local = useMemo(() => validateDesign(design), [design]);
  const quantity = /^\d+$/.test(quantityText) ? Number(quantityText) : NaN;
  const quantityError =
    Number.isInteger(quantity) && quantity >= catalog.pricing!.minQuantity && quantity <= catalog.pricing!.maxQuantity
      ? ""
      : `Choose a quantity from ${catalog.pricing!.minQuantity} to ${catalog.pricing!.maxQuantity}.`;
  const localErrors = { ...errorsByField(local.violations), ...formErrors, ...(quantityError ? { quantity: quantityError } : {}) };
  const valid = Object.keys(localErrors).length === 0;

  // The price: asked only for a design that passes the contract's rules.
  const quote = useQuery(CatalogService.method.quote, valid ? { design, quantity } : skipToken, {
    placeholderData: keepPreviousData,
  });
  const serverErrors =
    valid && quote.error?.code === Code.InvalidArgument && !quote.isPlaceholderData
      ? errorsByField(violationsOf(quote.error, { relativeTo: "design" }))
      : {};
  const errors = { ...serverErrors, ...localErrors };
  const priced = valid && !quote.error && quote.data?.quote && !quote.isPlaceholderData ? quote.data.quote : undefined;
  const dirty = opened === null || JSON.stringify(design) !== openedJson || name !== opened.name;

  const create = useMutation(DesignService.method.createDesign);
  const update = useMutation(DesignService.method.updateDesign);

  function set<K extends keyof DesignForm>(key: K, value: DesignForm[K]) {
    setNotice("");
    setForm((f) => ({ ...f, [key]: value }));
  }

  async function save(asNew: boolean) {
    setNotice("");
    setSaveError("");
    const updating = opened !== null && !asNew;
    try {
      const res = updating
        ? await update.mutateAsync({ id: opened.id, name, design, expectedVersion: opened.version })
        : await create.mutateAsync({ name, design, idempotencyKey: idempotencyKey(CREATE_KEY, "design", JSON.stringify({ name, design })) });
      if (!updating) forgetIdempotencyKey(CREATE_KEY);
      const d = res.design!;
      setOpened({ id: d.id, name: d.name, version: d.version });
      setOpenedJson(JSON.stringify(design));
      // The address names the open design; no server round trip.
      window.history.replaceState(null, "", `/?design=${d.id}`);
      setNotice(updating ? "Changes saved." : "Design saved.");
      await queryClient.invalidateQueries();
    } catch (err) {
      if (err instanceof ConnectError && err.code === Code.Aborted) {
        setSaveError("This design was changed elsewhere. Reload it to see the latest version.");
      } else if (err instanceof ConnectError && err.code === Code.InvalidArgument) {
        const v = violationsOf(err);
        setSaveError(v.map((x) => x.message).join(" ") || err.rawMessage);
      } else {
        setSaveError(err instanceof ConnectError ? err.rawMessage : "Could not save the design.");
      }
    }
  }

  function addOpenedToCart() {
    if (!opened) return;
    const { cart, added } = addToCart(getCart(), opened.id, Number.isInteger(quantity) ? quantity : 1);
    saveCart(cart);
    setNotice(added ? "Added to your cart." : "Your cart is full (20 designs at most).");
  }

  return (
    <div className="grid-2">
      <form
        aria-label="Harness design"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
        }}
      >
        <fieldset>
          <legend>Style</legend>
          <div className="choices" role="radiogroup" aria-label="Style" {...invalidProps("style", errors)}>
            {catalog.styles.map((s) => (
              <label key={s.style} className="choice">
                <input type="radio" name="style" value={s.style} checked={form.style === s.style} onChange={() => set("style", s.style)} />
                {s.label}
              </label>
            ))}
          </div>
          <FieldError name="style" errors={errors} />
        </fieldset>

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
              {catalog.sizes.map((s) => (
                <option key={s.size} value={s.size}>
                  {s.label} — chest {s.chestMinMm}–{s.chestMaxMm} mm, neck {s.neckMinMm}–{s.neckMaxMm} mm
                </option>
              ))}
            </select>
            <FieldError name="size" errors={errors} />
          </div>
          <SizeAdvice
            catalog={catalog}
            form={form}
            errors={errors}
            onMeasurements={(m) => set("measurements", m)}
            onUseSize={(size) => set("size", size)}
          />
        </fieldset>

        <fieldset>
          <legend>Material and hardware</legend>
          <span className="label" id="material-label">
            Material
          </span>
          <Choices
            field="material"
            labelledBy="material-label"
            options={catalog.materials.map((m) => [m.material, m.label])}
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
            options={catalog.hardware.map((h) => [h.hardware, h.label])}
            value={form.hardware}
            onChange={(v) => set("hardware", v)}
            errors={errors}
          />
        </fieldset>

        <fieldset>
          <legend>Colours</legend>
          <span className="label" id="webbing-label">
            Webbing colour
          </span>
          <div className="choices" role="radiogroup" aria-labelledby="webbing-label" {...invalidProps("webbingColor", errors)}>
            {catalog.colors.map((c) => (
              <label key={c.color} className="choice">
                <input
                  type="radio"
                  name="webbingColor"
                  value={c.color}
                  checked={form.webbingColor === c.color}
                  onChange={() => set("webbingColor", c.color)}
                />
                <span className="swatch" style={{ background: c.hex }} aria-hidden="true" />
                {c.label}
              </label>
            ))}
          </div>
          <FieldError name="webbingColor" errors={errors} />
          <div className="field">
            <label htmlFor="trimColor">Trim colour</label>
            <select
              id="trimColor"
              value={form.trimColor}
              onChange={(e) => set("trimColor", Number(e.target.value))}
              {...invalidProps("trimColor", errors)}
            >
              <option value={Color.UNSPECIFIED}>No trim</option>
              {catalog.colors.map((c) => (
                <option key={c.color} value={c.color}>
                  {c.label}
                </option>
              ))}
            </select>
            <FieldError name="trimColor" errors={errors} />
          </div>
        </fieldset>

        <fieldset>
          <legend>Options</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={form.reflectiveTrim}
              onChange={(e) => set("reflectiveTrim", e.target.checked)}
              {...invalidProps("reflectiveTrim", errors)}
            />
            Reflective trim
          </label>
          <FieldError name="reflectiveTrim" errors={errors} />
          <label className="check">
            <input
              type="checkbox"
              id="backHandle"
              checked={form.backHandle}
              onChange={(e) => set("backHandle", e.target.checked)}
              {...invalidProps("backHandle", errors)}
            />
            Back handle
          </label>
          <FieldError name="backHandle" errors={errors} />

          <label className="check">
            <input
              type="checkbox"
              checked={form.namePatch.enabled}
              onChange={(e) => set("namePatch", { ...form.namePatch, enabled: e.target.checked })}
            />
            Name patch
          </label>
          {form.namePatch.enabled ? (
            <div className="row" style={{ alignItems: "start", marginLeft: "1.5rem" }}>
              <div className="field">
                <label htmlFor="namePatchText">Name on the patch</label>
                <input
                  id="namePatchText"
                  type="text"
                  maxLength={40}
                  value={form.namePatch.text}
                  onChange={(e) => set("namePatch", { ...form.namePatch, text: e.target.value })}
                  {...invalidProps("namePatch.text", errors, "namePatchHint")}
                />
                <p className="hint" id="namePatchHint">
                  Up to {catalog.options!.namePatchMaxChars} letters, digits, spaces, hyphens or apostrophes.
                </p>
                <FieldError name="namePatch.text" errors={errors} />
              </div>
              <div className="field">
                <label htmlFor="threadColor">Thread colour</label>
                <select
                  id="threadColor"
                  value={form.namePatch.threadColor}
                  onChange={(e) => set("namePatch", { ...form.namePatch, threadColor: Number(e.target.value) })}
                  {...invalidProps("namePatch.threadColor", errors)}
                >
                  {catalog.colors.map((c) => (
                    <option key={c.color} value={c.color}>
                      {c.label}
                    </option>
                  ))}
                </select>
                <FieldError name="namePatch.threadColor" errors={errors} />
              </div>
            </div>
          ) : null}
          <FieldError name="namePatch" errors={errors} />

          <div className="field">
            <label htmlFor="leash">Matching leash</label>
            <select
              id="leash"
              value={form.leashMm}
              onChange={(e) => set("leashMm", Number(e.target.value))}
              {...invalidProps("leash.lengthMm", errors)}
            >
              <option value={0}>No leash</option>
              {catalog.leashes.map((l) => (
                <option key={l.lengthMm} value={l.lengthMm}>
                  {l.lengthMm / 10} cm
                </option>
              ))}
            </select>
            <FieldError name="leash.lengthMm" errors={errors} />
          </div>

          <label className="check">
            <input
              type="checkbox"
              checked={form.idTag.enabled}
              onChange={(e) => set("idTag", { ...form.idTag, enabled: e.target.checked })}
            />
            Engraved ID tag
          </label>
          {form.idTag.enabled ? (
            <div className="field" style={{ marginLeft: "1.5rem" }}>
              <label htmlFor="engraving">Engraving</label>
              <input
                id="engraving"
                type="text"
                maxLength={60}
                value={form.idTag.engraving}
                onChange={(e) => set("idTag", { ...form.idTag, engraving: e.target.value })}
                {...invalidProps("idTag.engraving", errors, "engravingHint")}
              />
              <p className="hint" id="engravingHint">
                Up to {catalog.options!.idTagMaxChars} letters, digits, spaces, hyphens or apostrophes.
              </p>
              <FieldError name="idTag.engraving" errors={errors} />
            </div>
          ) : null}
        </fieldset>

        <fieldset>
          <legend>How many</legend>
          <div className="field">
            <label htmlFor="quantity">Quantity</label>
            <input
              id="quantity"
              type="number"
              inputMode="numeric"
              min={catalog.pricing!.minQuantity}
              max={catalog.pricing!.maxQuantity}
              value={quantityText}
              onChange={(e) => setQuantityText(e.target.value)}
              {...invalidProps("quantity", errors, "quantityHint")}
            />
            <p className="hint" id="quantityHint">
              {catalog.pricing!.discountPercent}% off a line from {catalog.pricing!.discountMinQuantity} pieces.
            </p>
            <FieldError name="quantity" errors={errors} />
          </div>
        </fieldset>
      </form>

      <aside className="sticky stack" aria-label="Price and saving">
        <PricePanel quote={priced} pending={valid && (quote.isFetching || quote.isPlaceholderData)} valid={valid && !quote.error} />
        {quote.error && quote.error.code !== Code.InvalidArgument ? (
          <p className="alert" role="alert">
            The price could not be fetched: {quote.error.rawMessage}
          </p>
        ) : null}

        <section className="card" aria-labelledby="save-heading">
          <h2 id="save-heading" style={{ marginTop: 0 }}>
            {opened ? "Your saved design" : "Save this design"}
          </h2>
          {session ? (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void save(false);
              }}
            >
              <div className="field">
                <label htmlFor="designName">Name</label>
                <input
                  id="designName"
                  type="text"
                  maxLength={80}
                  value={name}
                  placeholder="e.g. Biscuit's walking harness"
                  onChange={(e) => {
                    setNotice("");
                    setName(e.target.value);
                  }}
                />
              </div>
              <div className="row">
                <button type="submit" disabled={!valid || !dirty || create.isPending || update.isPending}>
                  {opened ? "Save changes" : "Save design"}
                </button>
                {opened ? (
                  <button type="button" className="secondary" disabled={!valid || create.isPending} onClick={() => void save(true)}>
                    Save as new
                  </button>
                ) : null}
              </div>
              {opened ? (
                <div className="row" style={{ marginTop: "0.75rem" }}>
                  <button type="button" className="secondary" disabled={dirty} onClick={addOpenedToCart}>
                    Add to cart
                  </button>
                  {dirty ? <span className="hint">Save your changes first.</span> : <Link href="/cart">Go to cart</Link>}
                </div>
              ) : (
                <p className="hint">Save the design to add it to your cart.</p>
              )}
            </form>
          ) : (
            <p>
              <Link href={`/signin?next=${encodeURIComponent("/")}`}>Sign in</Link> or{" "}
              <Link href="/register">create an account</Link> to save designs and order them.
            </p>
          )}
          <div aria-live="polite">
            {notice ? <p className="notice">{notice}</p> : null}
            {saveError ? <p className="alert">{saveError}</p> : null}
          </div>
        </section>
      </aside>
    </div>
  );
}

/**
 * One radio group of the builder (a choice per catalog option) and its
 * error, labelled by the element labelledBy names.
 */
function Choices<V extends number>({
  field,
  labelledBy,
  options,
  value,
  onChange,
  errors,
}: {
  field: string;
  labelledBy: string;
  options: [V, string][];
  value: V;
  onChange: (value: V) => void;
  errors: Record<string, string>;
}) {
  return (
    <>
      <div className="choices" role="radiogroup" aria-labelledby={labelledBy} {...invalidProps(field, errors)}>
        {options.map(([v, label]) => (
          <label key={v} className="choice">
            <input type="radio" name={field} value={v} checked={value === v} onChange={() => onChange(v)} />
            {label}
          </label>
        ))}
      </div>
      <FieldError name={field} errors={errors} />
    </>
  );
}
