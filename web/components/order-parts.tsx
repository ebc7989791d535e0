"use client";

// The pieces of an order that the customer's and the admin's order pages
// both show: its lines with the design's picture, the shipping address, the
// totals, and the history (declined payments included).

import { OrderStatus, type Catalog, type Order } from "@/lib/harness";
import { countryName } from "@/lib/countries";
import { describeDesign } from "@/lib/labels";
import { statusLabel } from "@/lib/lifecycle";
import { formatCents } from "@/lib/money";
import { describeChange, formatTime } from "@/lib/orders";
import { HarnessPicture } from "./harness-picture";

export function StatusBadge({ status }: { status: OrderStatus }) {
  return (
    <span className="status" data-testid="order-status" data-status={OrderStatus[status]}>
      {statusLabel(status)}
    </span>
  );
}

export function OrderLines({ order, catalog, idPrefix = "line" }: { order: Order; catalog: Catalog; idPrefix?: string }) {
  return (
    <div className="scroll-x">
      <table aria-label="Order lines">
        <thead>
          <tr>
            <th scope="col">Design</th>
            <th scope="col" className="num">
              Qty
            </th>
            <th scope="col" className="num">
              Unit
            </th>
            <th scope="col" className="num">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {order.lines.map((l) => (
            <tr key={l.designId} data-line={l.designId}>
              <td>
                <div className="with-thumb">
                  <HarnessPicture catalog={catalog} design={l.design} width={96} id={`${idPrefix}-${l.designId}`} decorative />
                  <div>
                    {l.designName || "Untitled design"}
                    <div className="hint">{describeDesign(catalog, l.design)}</div>
                  </div>
                </div>
              </td>
              <td className="num">{l.quote?.quantity}</td>
              <td className="num">{l.quote ? formatCents(l.quote.unitPriceCents) : ""}</td>
              <td className="num">
                {l.quote ? formatCents(l.quote.totalCents) : ""}
                {l.quote && l.quote.discountCents > 0 ? <div className="hint">incl. {formatCents(-l.quote.discountCents)}</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ShipTo({ order }: { order: Order }) {
  const a = order.shippingAddress;
  if (!a) return null;
  const lines = [
    a.name,
    a.line1,
    a.line2,
    [a.postalCode, a.city, a.region].filter(Boolean).join(" "),
    a.countryCode ? countryName(a.countryCode) : "",
    a.phone,
  ].filter(Boolean);
  return (
    <section className="card" aria-labelledby="ship-to">
      <h2 id="ship-to" style={{ marginTop: 0 }}>
        Ships to
      </h2>
      <address style={{ fontStyle: "normal" }} data-testid="ship-to">
        {lines.map((line, i) => (
          <div key={i}>{line}</div>
        ))}
      </address>
    </section>
  );
}

export function OrderTotals({ order }: { order: Order }) {
  const refunded = order.payment?.refundedCents ?? 0;
  return (
    <table className="parts">
      <tbody>
        <tr>
          <td>Subtotal</td>
          <td>{formatCents(order.subtotalCents)}</td>
        </tr>
        <tr>
          <td>Shipping</td>
          <td>{order.shippingCents === 0 ? "Free" : formatCents(order.shippingCents)}</td>
        </tr>
        <tr className="total">
          <td>Total</td>
          <td data-testid="order-total" data-cents={order.totalCents}>
            {formatCents(order.totalCents)}
          </td>
        </tr>
        {refunded ? (
          <tr>
            <td>Refunded</td>
            <td data-testid="order-refunded" data-cents={refunded}>
              {formatCents(refunded)}
            </td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}

/** The order's history, oldest first; `actors` adds who made each change (admins). */
export function OrderHistory({ order, actors = false }: { order: Order; actors?: boolean }) {
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <ul className="history" data-testid="history">
        {order.history.map((h, i) => {
          const e = describeChange(h);
          return (
            <li key={i} data-kind={e.kind} className={e.kind === "declined" ? "declined" : undefined}>
              <span className="muted">{formatTime(h.time)}</span> {e.text}
              {actors && h.actor ? <span className="hint"> · by {h.actor === order.ownerId ? "the customer" : h.actor}</span> : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
