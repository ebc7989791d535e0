"use client";

import { formatCents, formatSignedCents } from "@/lib/money";
import type { LineQuote } from "@/lib/harness";

/** Why the price on screen is not the current design's (yet). */
export type PriceState = "fresh" | "pending" | "invalid";

/**
 * The server's quote of the design: unit price, its parts, the line's total.
 * While a new price is on its way or a field is being fixed, the last price
 * stays on screen, marked as the previous one (data-testid stale-total).
 */
export function PricePanel({ quote, stale, state, hint }: { quote?: LineQuote; stale?: LineQuote; state: PriceState; hint?: string }) {
  return (
    <section className="card" aria-labelledby="price-heading" aria-busy={state === "pending"}>
      <h2 id="price-heading" style={{ marginTop: 0 }}>
        Price
      </h2>
      <div aria-live="polite">
        {state === "fresh" && quote ? (
          <>
            <p className="price-big" data-testid="line-total" data-cents={quote.totalCents}>
              {formatCents(quote.totalCents)}
            </p>
            <table className="parts">
              <caption className="sr-only">Price breakdown</caption>
              <tbody>
                {quote.parts.map((p) => (
                  <tr key={p.code} data-part={p.code}>
                    <td>{p.label}</td>
                    <td>{p.code === "size" ? formatSignedCents(p.amountCents) : formatCents(p.amountCents)}</td>
                  </tr>
                ))}
                <tr className="total">
                  <td>Unit price</td>
                  <td data-testid="unit-price" data-cents={quote.unitPriceCents}>
                    {formatCents(quote.unitPriceCents)}
                  </td>
                </tr>
                <tr>
                  <td>× {quote.quantity}</td>
                  <td data-testid="subtotal" data-cents={quote.subtotalCents}>
                    {formatCents(quote.subtotalCents)}
                  </td>
                </tr>
                {quote.discountCents > 0 ? (
                  <tr>
                    <td>Quantity discount</td>
                    <td data-testid="discount" data-cents={quote.discountCents}>
                      {formatCents(-quote.discountCents)}
                    </td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </>
        ) : stale ? (
          <>
            <p className="price-big stale" data-testid="stale-total" data-cents={stale.totalCents}>
              <span className="sr-only">Previous price: </span>
              {formatCents(stale.totalCents)}
            </p>
            <p className="muted" data-testid={state === "invalid" ? "price-blocked" : "price-pending"}>
              {state === "invalid" ? (hint ?? "The previous price: fix the highlighted choices to update it.") : "Updating the price…"}
            </p>
          </>
        ) : state === "invalid" ? (
          <p className="muted" data-testid="price-blocked">
            {hint ?? "Fix the highlighted choices to see the price."}
          </p>
        ) : (
          <p className="muted">Pricing…</p>
        )}
      </div>
    </section>
  );
}
