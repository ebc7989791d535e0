"use client";

// The cart and checkout: saved designs and quantities, the cart's price from
// QuoteCart (shipping included), the address checked with the contract's
// rules, and CreateOrder with an idempotency key that stays the same while
// the request does, so a retry after a lost answer cannot order twice.

import { useMemo, useState, type FormEvent } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { createQueryOptions, skipToken, useQuery, useTransport } from "@connectrpc/connect-query";
import { useQueries, useQueryClient } from "@tanstack/react-query";

import { useSession } from "@/app/providers";
import { countries } from "@/lib/countries";
import { removeFromCart, setQuantity, MAX_QUANTITY, MIN_QUANTITY } from "@/lib/cart";
import { getCart, saveCart } from "@/lib/cart-store";
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
} from "@/lib/harness";
import { validate } from "@harnesshero/client/validation";
import { describeDesign } from "@/lib/labels";
import { formatCents } from "@/lib/money";
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

export function Checkout({ catalog }: { catalog: Catalog }) {
  const cart = useCart();
  const router = useRouter();
  const transport = useTransport();
  const queryClient = useQueryClient();
  const orders = useClient(OrderService);
  const [address, setAddress] = useState<Address>(EMPTY_ADDRESS);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState("");
  const [busy, setBusy] = useState(false);
  const [attempted, setAttempted] = useState(false);
  const session = useSession();
  const countryList = useMemo(() => countries(), []);

  const designs = useQueries({
    queries: cart.map((l) => createQueryOptions(DesignService.method.getDesign, { id: l.designId }, { transport })),
  });
  const loaded = designs.every((q) => q.data?.design?.design);
  const lines = loaded ? cart.map((l, i) => ({ design: designs[i].data!.design!.design!, quantity: l.quantity })) : [];
  const totals = useQuery(CatalogService.method.quoteCart, loaded && lines.length > 0 ? { lines } : skipToken);

  async function placeOrder(e: FormEvent) {
    e.preventDefault();
    setFormError("");
    setAttempted(true);
    const local = validate(ShippingAddressSchema, address);
    const found = errorsByField(local.violations);
    setErrors(found);
    if (!local.valid) {
      document.getElementById(Object.keys(found).map((k) => `addr-${k}`)[0])?.focus();
      return;
    }
    const request = { lines: cart.map((l) => ({ designId: l.designId, quantity: l.quantity })), shippingAddress: address };
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

  if (cart.length === 0) {
    return (
      <p className="card">
        Your cart is empty. <Link href="/">Design a harness</Link> or add one from <Link href="/designs">your designs</Link>.
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
              const q = designs[i];
              const saved = q?.data?.design;
              const lineQuote = totals.data?.lines[i];
              return (
                <tr key={l.designId} data-cart-line={l.designId}>
                  <td>
                    {saved ? (
                      <div className="with-thumb">
                        <HarnessPicture catalog={catalog} design={saved.design} width={96} id={`cart-${saved.id}`} decorative />
                        <div>
                          <Link href={`/?design=${saved.id}`}>{saved.name || "Untitled design"}</Link>
                          <div className="hint">{describeDesign(catalog, saved.design)}</div>
                        </div>
                      </div>
                    ) : q?.error ? (
                      <span className="alert">This design is no longer saved.</span>
                    ) : (
                      <span className="muted">Loading…</span>
                    )}
                  </td>
                  <td>
                    <label className="sr-only" htmlFor={`qty-${l.designId}`}>
                      Quantity of {saved?.name || "this design"}
                    </label>
                    <input
                      id={`qty-${l.designId}`}
                      type="number"
                      min={MIN_QUANTITY}
                      max={MAX_QUANTITY}
                      value={l.quantity}
                      onChange={(e) => saveCart(setQuantity(getCart(), l.designId, Number(e.target.value)))}
                    />
                  </td>
                  <td className="num">
                    {lineQuote ? formatCents(lineQuote.totalCents) : "—"}
                    {lineQuote && lineQuote.discountCents > 0 ? (
                      <div className="hint">incl. {formatCents(-lineQuote.discountCents)} discount</div>
                    ) : null}
                  </td>
                  <td>
                    <button type="button" className="small danger" onClick={() => saveCart(removeFromCart(getCart(), l.designId))}>
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>

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
          <div aria-live="assertive">{formError ? <p className="alert">{formError}</p> : null}</div>
          <button type="submit" disabled={busy || !loaded}>
            {busy ? "Placing your order…" : "Place order"}
          </button>
          <p className="hint">You pay on the next page. Prices are confirmed by the shop when the order is placed.</p>
        </form>
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
