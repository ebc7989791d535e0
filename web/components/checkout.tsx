"use client";

// The cart and checkout: its designs (saved ones by id, a guest's as they
// are) and quantities, the cart's price from QuoteCart (the designs given
// inline, shipping included), for a guest signing up or in right here, then
// the cart's unsaved designs saved (CreateDesign, keyed by the line, so a
// retry or a second tab saves each once), the address checked with the
// contract's rules, and CreateOrder with an idempotency key that stays the
// same while the request does, so a retry after a lost answer cannot order
// twice.

import { useEffect, useMemo, useState, type FormEvent } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { createQueryOptions, skipToken, useQuery, useTransport } from "@connectrpc/connect-query";
import { useQueries, useQueryClient } from "@tanstack/react-query";

import { useHydrated, useSession } from "@/app/providers";
import { countries } from "@/lib/countries";
import { isUnsaved, parseQuantity, removeLine, setQuantity, MAX_QUANTITY, MIN_QUANTITY, type CartLine } from "@/lib/cart";
import { getCart, saveCart, updateCart } from "@/lib/cart-store";
import { saveCartDesigns } from "@/lib/cart-save";
import { decodeDesignMessage } from "@/lib/design-url";
import { errorsByField, type FieldErrors } from "@/lib/design";
import { forgetIdempotencyKey, idempotencyKey } from "@/lib/idempotency";
import {
  CatalogService,
  Code,
  ConnectError,
  DesignService,
  OrderService,
  ShippingAddressSchema,
  violationsOf,
  type Catalog,
  type Design,
} from "@/lib/harness";
import { validate } from "@harnesshero/client/validation";
import { describeDesign } from "@/lib/labels";
import { formatCents } from "@/lib/money";
import { AuthPanel } from "./auth-form";
import { FieldError, invalidProps } from "./field";
import { HarnessPicture } from "./harness-picture";
import { useCart, useClient } from "./hooks";

const KEY_STORE = "harness.checkout";

interface Address {
  name: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  countryCode: string;
  phone: string;
}

const EMPTY_ADDRESS: Address = { name: "", line1: "", line2: "", city: "", region: "", postalCode: "", countryCode: "US", phone: "" };

const ADDRESS_FIELDS: { key: keyof Address; label: string; autoComplete: string; optional?: boolean }[] = [
  { key: "name", label: "Full name", autoComplete: "name" },
  { key: "line1", label: "Address", autoComplete: "address-line1" },
  { key: "line2", label: "Apartment, suite (optional)", autoComplete: "address-line2", optional: true },
  { key: "city", label: "City", autoComplete: "address-level2" },
  { key: "region", label: "State or region (optional)", autoComplete: "address-level1", optional: true },
  { key: "postalCode", label: "Postal code", autoComplete: "postal-code" },
  { key: "countryCode", label: "Country", autoComplete: "country" },
  { key: "phone", label: "Phone for the carrier (optional)", autoComplete: "tel", optional: true },
];

function withoutKey<T>(record: Record<string, T>, key: string): Record<string, T> {
  const next = { ...record };
  delete next[key];
  return next;
}

/** What the page knows of a line's design. */
interface Shown {
  design?: Design;
  name: string;
  href?: string;
  problem?: string;
}

export function Checkout({ catalog }: { catalog: Catalog }) {
  const hydrated = useHydrated();
  const cart = useCart();
  const router = useRouter();
  const transport = useTransport();
  const queryClient = useQueryClient();
  const orders = useClient(OrderService);
  const designClient = useClient(DesignService);
  const [address, setAddress] = useState<Address>(EMPTY_ADDRESS);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState("");
  const [busy, setBusy] = useState(false);
  const [attempted, setAttempted] = useState(false);
  const [authMode, setAuthMode] = useState<"register" | "signin">("register");
  // Quantities being typed that are not 1 to 10: kept with their message, the cart unchanged.
  const [drafts, setDrafts] = useState<Record<string, { text: string; error: string }>>({});
  // The save of the unsaved designs: which set of lines it was for and how it failed; a new round after each.
  const [saveFailure, setSaveFailure] = useState<{ lines: string; message: string } | null>(null);
  const [saveRound, setSaveRound] = useState(0);
  const session = useSession();
  const userId = session?.user.id;
  const countryList = useMemo(() => countries(), []);

  const saved = userId ? cart.filter((l) => l.designId !== undefined) : [];
  const savedQueries = useQueries({
    queries: saved.map((l) => createQueryOptions(DesignService.method.getDesign, { id: l.designId! }, { transport })),
  });
  const inline = useMemo(() => new Map(cart.filter(isUnsaved).map((l) => [l.lineId, decodeDesignMessage(l.design)])), [cart]);
  const shown: Shown[] = cart.map((l) => {
    if (isUnsaved(l)) {
      const design = inline.get(l.lineId);
      return design ? { design, name: "Your design (not saved yet)" } : { name: "A design", problem: "This design cannot be read. Remove it." };
    }
    if (!userId) return { name: "A saved design", problem: "Sign in to see this saved design." };
    const q = savedQueries[saved.indexOf(l)];
    const s = q?.data?.design;
    if (s?.design) return { design: s.design, name: s.name || "Untitled design", href: `/?design=${s.id}` };
    return { name: "A saved design", problem: q?.error ? "This design is no longer saved." : undefined };
  });
  const loaded = shown.every((x) => x.design);
  const lines = loaded ? cart.map((l, i) => ({ design: shown[i].design!, quantity: l.quantity })) : [];
  const totals = useQuery(CatalogService.method.quoteCart, loaded && lines.length > 0 ? { lines } : skipToken);

  // Signed in with designs not saved yet (a guest's cart, just taken in):
  // they are saved now, each once whatever retries or other tabs do.
  const unsaved = cart.filter(isUnsaved).map((l) => l.lineId).join(" ");
  const saveError = saveFailure && saveFailure.lines === unsaved ? saveFailure.message : "";
  useEffect(() => {
    if (!userId || unsaved === "" || saveError) return;
    let live = true;
    saveCartDesigns(designClient, userId).then(
      () => {
        if (live) setSaveRound((r) => r + 1);
      },
      (err: unknown) => {
        if (!live) return;
        const message =
          violationsOf(err).map((x) => x.message).join(" ") ||
          (err instanceof ConnectError ? err.rawMessage : err instanceof Error ? err.message : String(err));
        setSaveFailure({ lines: unsaved, message: `Your designs could not be saved: ${message}` });
      },
    );
    return () => {
      live = false;
    };
  }, [userId, unsaved, saveError, designClient, saveRound]);

  function editQuantity(l: CartLine, text: string) {
    const r = setQuantity(getCart(), l.lineId, parseQuantity(text));
    if (r.error) {
      setDrafts((d) => ({ ...d, [l.lineId]: { text, error: `${r.error} Your cart keeps ${l.quantity}.` } }));
      return;
    }
    setDrafts((d) => withoutKey(d, l.lineId));
    saveCart(r.cart);
  }

  async function placeOrder(e: FormEvent) {
    e.preventDefault();
    setFormError("");
    setAttempted(true);
    const badQuantity = cart.find((l) => drafts[l.lineId]);
    if (badQuantity) {
      setFormError("Fix the quantities in your cart first.");
      document.getElementById(`qty-${badQuantity.lineId}`)?.focus();
      return;
    }
    const local = validate(ShippingAddressSchema, address);
    const found = errorsByField(local.violations);
    setErrors(found);
    if (!local.valid) {
      document.getElementById(Object.keys(found).map((k) => `addr-${k}`)[0])?.focus();
      return;
    }
    const current = getCart();
    if (current.some(isUnsaved)) {
      setFormError("Your designs are still being saved. Try again in a moment.");
      return;
    }
    const request = { lines: current.map((l) => ({ designId: l.designId!, quantity: l.quantity })), shippingAddress: address };
    setBusy(true);
    try {
      const { order } = await orders.createOrder({ ...request, idempotencyKey: idempotencyKey(KEY_STORE, "checkout", JSON.stringify(request)) });
      forgetIdempotencyKey(KEY_STORE);
      saveCart([]);
      await queryClient.invalidateQueries();
      router.push(`/orders/${order!.id}`);
    } catch (err) {
      const v = violationsOf(err);
      if (v.length > 0) {
        setErrors(errorsByField(violationsOf(err, { relativeTo: "shippingAddress" })));
        setFormError(v.filter((x) => !x.path.startsWith("shippingAddress")).map((x) => x.message).join(" "));
      } else if (err instanceof ConnectError && err.code === Code.NotFound) {
        setFormError("A design in your cart no longer exists. Remove it and try again.");
      } else {
        setFormError(
          err instanceof ConnectError && err.code === Code.Unavailable
            ? "The shop could not take the order just now. Try again: you will not be charged twice."
            : `The order could not be placed: ${err instanceof ConnectError ? err.rawMessage : String(err)}`,
        );
      }
    } finally {
      setBusy(false);
    }
  }

  if (!hydrated) return <p className="muted">Loading…</p>;

  if (cart.length === 0) {
    return (
      <p className="card">
        Your cart is empty. <Link href="/">Design a harness</Link>
        {userId ? (
          <>
            {" "}
            or add one from <Link href="/designs">your designs</Link>
          </>
        ) : null}
        .
      </p>
    );
  }

  return (
    <div className="grid-2">
      <div className="stack">
        <table aria-label="Cart">
          <thead>
            <tr>
              <th scope="col">Design</th>
              <th scope="col">Quantity</th>
              <th scope="col" className="num">
                Line total
              </th>
              <th scope="col">
                <span className="sr-only">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {cart.map((l, i) => {
              const x = shown[i];
              const lineQuote = totals.data?.lines[i];
              const draft = drafts[l.lineId];
              const qtyError = draft ? { [`qty-${l.lineId}`]: draft.error } : {};
              return (
                <tr key={l.lineId} data-cart-line={l.designId ?? l.lineId} data-line-id={l.lineId} data-saved={l.designId ? "true" : "false"}>
                  <td>
                    {x.design ? (
                      <div className="with-thumb">
                        <HarnessPicture catalog={catalog} design={x.design} width={96} id={`cart-${l.designId ?? l.lineId}`} decorative />
                        <div>
                          {x.href ? <Link href={x.href}>{x.name}</Link> : <span>{x.name}</span>}
                          <div className="hint">{describeDesign(catalog, x.design)}</div>
                        </div>
                      </div>
                    ) : x.problem ? (
                      <span className="alert">{x.problem}</span>
                    ) : (
                      <span className="muted">Loading…</span>
                    )}
                  </td>
                  <td>
                    <label className="sr-only" htmlFor={`qty-${l.lineId}`}>
                      Quantity of {x.name}
                    </label>
                    <input
                      id={`qty-${l.lineId}`}
                      className="qty"
                      type="number"
                      inputMode="numeric"
                      min={MIN_QUANTITY}
                      max={MAX_QUANTITY}
                      value={draft ? draft.text : String(l.quantity)}
                      onChange={(e) => editQuantity(l, e.target.value)}
                      {...invalidProps(`qty-${l.lineId}`, qtyError)}
                    />
                    <FieldError name={`qty-${l.lineId}`} errors={qtyError} />
                  </td>
                  <td className="num" data-testid="cart-line-total" data-cents={lineQuote?.totalCents}>
                    {lineQuote ? formatCents(lineQuote.totalCents) : "—"}
                    {lineQuote && lineQuote.discountCents > 0 ? (
                      <div className="hint">incl. {formatCents(-lineQuote.discountCents)} discount</div>
                    ) : null}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="small danger"
                      aria-label={`Remove ${x.name}`}
                      onClick={() => {
                        setDrafts((d) => withoutKey(d, l.lineId));
                        updateCart((c) => removeLine(c, l.lineId));
                      }}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>

        {!session ? (
          <AuthPanel
            key={authMode}
            mode={authMode}
            className="card"
            headingLevel={2}
            intro={
              <p data-testid="checkout-account">
                To check out, {authMode === "register" ? "create an account" : "sign in"}: your cart stays as it is, and its designs are saved to
                your account.
              </p>
            }
            other={
              <button type="button" className="link" onClick={() => setAuthMode(authMode === "register" ? "signin" : "register")}>
                {authMode === "register" ? "I have an account" : "Create an account instead"}
              </button>
            }
            onSignedIn={() => undefined}
          />
        ) : (
        <form onSubmit={placeOrder} noValidate aria-labelledby="ship-heading">
          <fieldset>
            <legend id="ship-heading">Shipping address</legend>
            {ADDRESS_FIELDS.map((f) => {
              const change = (value: string) => {
                const next = { ...address, [f.key]: value };
                setAddress(next);
                // After a first try, the messages follow the typing.
                if (attempted) setErrors(errorsByField(validate(ShippingAddressSchema, next).violations));
              };
              return (
                <div className="field" key={f.key}>
                  <label htmlFor={`addr-${f.key}`}>{f.label}</label>
                  {f.key === "countryCode" ? (
                    <select
                      id="addr-countryCode"
                      autoComplete={f.autoComplete}
                      value={address.countryCode}
                      onChange={(e) => change(e.target.value)}
                      {...invalidProps(f.key, errors)}
                    >
                      {countryList.map((c) => (
                        <option key={c.code} value={c.code}>
                          {c.name}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <input
                      id={`addr-${f.key}`}
                      type="text"
                      autoComplete={f.autoComplete}
                      value={address[f.key]}
                      onChange={(e) => change(e.target.value)}
                      {...invalidProps(f.key, errors)}
                    />
                  )}
                  <FieldError name={f.key} errors={errors} />
                </div>
              );
            })}
          </fieldset>
          <p data-testid="receipt-to">
            The receipt goes to <strong data-testid="receipt-email">{session?.user.email}</strong>, the e-mail of your account.
          </p>
          <div aria-live="polite" data-testid="cart-saving">
            {unsaved && !saveError ? <p className="muted">Saving your designs to your account…</p> : null}
            {saveError ? (
              <p className="alert">
                {saveError}{" "}
                <button type="button" className="link" onClick={() => setSaveFailure(null)}>
                  Try again
                </button>
              </p>
            ) : null}
          </div>
          <div aria-live="assertive">{formError ? <p className="alert">{formError}</p> : null}</div>
          <button type="submit" disabled={busy || !loaded || unsaved !== ""}>
            {busy ? "Placing your order…" : "Place order"}
          </button>
          <p className="hint">You pay on the next page. Prices are confirmed by the shop when the order is placed.</p>
        </form>
        )}
      </div>

      <aside className="card sticky" aria-labelledby="totals-heading">
        <h2 id="totals-heading" style={{ marginTop: 0 }}>
          Order summary
        </h2>
        {totals.data ? (
          <table className="parts">
            <tbody>
              <tr>
                <td>Subtotal</td>
                <td data-testid="cart-subtotal">{formatCents(totals.data.subtotalCents)}</td>
              </tr>
              <tr>
                <td>Shipping</td>
                <td data-testid="cart-shipping">
                  {totals.data.shippingCents === 0 ? "Free" : formatCents(totals.data.shippingCents)}
                </td>
              </tr>
              <tr className="total">
                <td>Total</td>
                <td data-testid="cart-total" data-cents={totals.data.totalCents}>
                  {formatCents(totals.data.totalCents)}
                </td>
              </tr>
            </tbody>
          </table>
        ) : totals.error ? (
          <p className="alert">{totals.error.rawMessage}</p>
        ) : (
          <p className="muted">Pricing…</p>
        )}
        <p className="hint">
          Free shipping from {formatCents(catalog.pricing!.freeShippingThresholdCents)}; {catalog.pricing!.discountPercent}% off a
          line of {catalog.pricing!.discountMinQuantity} or more.
        </p>
      </aside>
    </div>
  );
}
