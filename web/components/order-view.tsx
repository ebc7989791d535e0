"use client";

// One order: its status, kept live (useOrderWatch), its frozen lines and
// totals, and the payment: "Pay with test card" with the embedded provider,
// Stripe.js when the API uses Stripe.

import { useState } from "react";
import Link from "next/link";
import { useMutation } from "@connectrpc/connect-query";

import { useConfig } from "@/app/providers";
import { customerMayCancel, HAPPY_PATH, statusLabel } from "@/lib/lifecycle";
import { OrderService, OrderStatus, type Catalog, type Order } from "@/lib/harness";
import { describeDesign } from "@/lib/labels";
import { formatCents } from "@/lib/money";
import { useOrderWatch } from "@/lib/order-watch";
import { HarnessPicture } from "./harness-picture";
import { StripePayment } from "./stripe-payment";
import { TestCardPayment } from "./test-card-payment";

export function StatusBadge({ status }: { status: OrderStatus }) {
  return (
    <span className="status" data-testid="order-status" data-status={OrderStatus[status]}>
      {statusLabel(status)}
    </span>
  );
}

export function OrderView({ id, catalog }: { id: string; catalog: Catalog }) {
  const { order, error, isPending, live, refresh } = useOrderWatch(id);
  if (isPending) return <p className="muted">Loading the order…</p>;
  if (error || !order) return <p className="alert">Could not load this order: {error?.rawMessage ?? "not found"}</p>;
  return <OrderDetail order={order} catalog={catalog} live={live} refresh={refresh} />;
}

function OrderDetail({ order, catalog, live, refresh }: { order: Order; catalog: Catalog; live: boolean; refresh: () => void }) {
  const config = useConfig();
  const [notice, setNotice] = useState("");
  const cancel = useMutation(OrderService.method.cancelOrder, { onSuccess: () => refresh() });
  const reached = HAPPY_PATH.indexOf(order.status);
  const payment = order.payment;

  return (
    <div className="stack">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <div className="row" aria-live="polite">
          <StatusBadge status={order.status} />
          <span className="muted">
            Order <code>{order.id.slice(0, 8)}</code> · placed {order.createTime ? new Date(Number(order.createTime.seconds) * 1000).toLocaleString() : ""}
          </span>
        </div>
        {live ? (
          <span className="live" data-testid="live">
            ● Live: this page updates by itself
          </span>
        ) : (
          <button type="button" className="small secondary" onClick={refresh}>
            Check status
          </button>
        )}
      </div>

      {reached >= 0 ? (
        <ol className="steps" aria-label="Progress">
          {HAPPY_PATH.map((s, i) => (
            <li key={s} data-done={i <= reached} aria-current={i === reached ? "step" : undefined}>
              {statusLabel(s)}
            </li>
          ))}
        </ol>
      ) : null}
      {order.paidAfterCancellation ? (
        <p className="notice">Your payment arrived after the order was cancelled: the shop will ship it or refund you.</p>
      ) : null}

      <div className="grid-2">
        <div className="stack">
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
                <tr key={l.designId}>
                  <td>
                    <div className="with-thumb">
                      <HarnessPicture catalog={catalog} design={l.design} width={96} id={`line-${l.designId}`} decorative />
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
                    {l.quote && l.quote.discountCents > 0 ? (
                      <div className="hint">incl. {formatCents(-l.quote.discountCents)}</div>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {order.shippingAddress ? (
            <section className="card" aria-labelledby="ship-to">
              <h2 id="ship-to" style={{ marginTop: 0 }}>
                Ships to
              </h2>
              <address style={{ fontStyle: "normal" }}>
                {[
                  order.shippingAddress.name,
                  order.shippingAddress.line1,
                  order.shippingAddress.line2,
                  [order.shippingAddress.postalCode, order.shippingAddress.city, order.shippingAddress.region].filter(Boolean).join(" "),
                  order.shippingAddress.countryCode,
                ]
                  .filter(Boolean)
                  .map((line) => (
                    <div key={line}>{line}</div>
                  ))}
              </address>
            </section>
          ) : null}
          <section aria-labelledby="history-heading">
            <h2 id="history-heading">History</h2>
            <ul>
              {order.history.map((h, i) => (
                <li key={i}>
                  {h.time ? new Date(Number(h.time.seconds) * 1000).toLocaleString() : ""}:{" "}
                  {h.from === OrderStatus.UNSPECIFIED ? "Order placed" : `${statusLabel(h.from)} → ${statusLabel(h.to)}`}
                  {h.note ? ` (${h.note})` : ""}
                </li>
              ))}
            </ul>
          </section>
        </div>

        <aside className="stack">
          <section className="card" aria-labelledby="total-heading">
            <h2 id="total-heading" style={{ marginTop: 0 }}>
              Total
            </h2>
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
                {payment?.refundedCents ? (
                  <tr>
                    <td>Refunded</td>
                    <td data-testid="order-refunded" data-cents={payment.refundedCents}>
                      {formatCents(payment.refundedCents)}
                    </td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </section>

          {order.status === OrderStatus.PENDING_PAYMENT ? (
            <section className="card" aria-labelledby="pay-heading">
              <h2 id="pay-heading" style={{ marginTop: 0 }}>
                Payment
              </h2>
              {payment?.failureReason ? (
                <p className="alert" data-testid="payment-failure">
                  The last payment failed: {payment.failureReason}
                </p>
              ) : null}
              {!payment?.paymentIntentId ? (
                <p className="muted">The payment is being prepared. Check again in a moment.</p>
              ) : payment.provider === "stripe" ? (
                <StripePayment order={order} publishableKey={config.stripePublishableKey} onPaid={() => setNotice("Payment sent.")} />
              ) : config.testPayments ? (
                <TestCardPayment
                  order={order}
                  onSent={(outcome) => {
                    setNotice(
                      outcome === "succeeded"
                        ? "Payment sent. The status changes to Paid as soon as the shop confirms it."
                        : "The card was declined.",
                    );
                    if (!live) window.setTimeout(refresh, 500);
                  }}
                />
              ) : (
                <p className="muted">
                  This shop uses the test payment provider. Pay from a terminal: <code>harness dev pay {order.id}</code>
                </p>
              )}
              <div aria-live="polite">{notice ? <p className="notice">{notice}</p> : null}</div>
            </section>
          ) : null}

          {customerMayCancel(order) ? (
            <button
              type="button"
              className="danger"
              disabled={cancel.isPending}
              onClick={() => {
                if (window.confirm("Cancel this order?")) cancel.mutate({ id: order.id });
              }}
            >
              Cancel order
            </button>
          ) : null}
          {cancel.error ? <p className="alert">{cancel.error.rawMessage}</p> : null}
          <Link href="/orders">All your orders</Link>
        </aside>
      </div>
    </div>
  );
}
