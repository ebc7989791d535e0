"use client";

import { formatCents, formatSignedCents } from "@/lib/money";
import type { LineQuote } from "@/lib/harness";

/** The server's quote of the design: unit price, its parts, the line's total. */
export function PricePanel({ quote, pending, valid }: { quote?: LineQuote; pending: boolean; valid: boolean }) {
  return (
    <section className="card" aria-labelledby="price-heading" aria-busy={pending}>
      <h2 id="price-heading" style={{ marginTop: 0 }}>
        Price
      </h2>
      <div aria-live="polite">
        {!valid ? (
          <p className="muted" data-testid="price-blocked">
            Fix the highlighted choices to see the price.
          </p>
        ) : quote ? (
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
        ) : (
          <p className="muted">{pending ? "Pricing…" : "—"}</p>
        )}
      </div>
    </section>
  );
}
