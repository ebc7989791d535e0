"use client";

// One order: its status, kept live (useOrderWatch), its frozen lines and
// totals, and the payment: "Pay with test card" with the embedded provider,
// Stripe.js when the API uses Stripe. A payment that goes through leads to
// the confirmation page; a declined one shows one error, with the reason
// the order records, and stays in the order's history.

import { useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMutation } from "@connectrpc/connect-query";

import { useConfig } from "@/app/providers";
import { customerMayCancel, HAPPY_PATH, statusLabel } from "@/lib/lifecycle";
import { Code, OrderService, OrderStatus, type Catalog, type Order } from "@/lib/harness";
import { formatTime, orderName } from "@/lib/orders";
import { useOrderWatch } from "@/lib/order-watch";
import { OrderHistory, OrderLines, OrderTotals, ShipTo, StatusBadge } from "./order-parts";
import { StripePayment } from "./stripe-payment";
import { TestCardPayment } from "./test-card-payment";

export { StatusBadge } from "./order-parts";

/** What the page says while an order cannot be shown: not found at once, other errors as they are. */
export function OrderProblem({ error }: { error: { code: Code; rawMessage: string } | null | undefined }) {
  if (!error || error.code === Code.NotFound || error.code === Code.InvalidArgument) {
    return (
      <p className="alert" data-testid="order-not-found">
        Order not found. It may belong to another account, or the link is wrong. <Link href="/orders">Your orders</Link>
      </p>
    );
  }
  return <p className="alert">Could not load this order: {error.rawMessage}</p>;
}

export function OrderView({ id, catalog }: { id: string; catalog: Catalog }) {
  const { order, error, isPending, live, refresh } = useOrderWatch(id);
  if (isPending && !error) return <p className="muted">Loading the order…</p>;
  if (error || !order) return <OrderProblem error={error} />;
  return <OrderDetail order={order} catalog={catalog} live={live} refresh={refresh} />;
}

/** The status and whether the page follows it live. */
export function LiveStatus({ order, live, refresh }: { order: Order; live: boolean; refresh: () => void }) {
  return (
    <div className="row" style={{ justifyContent: "space-between" }}>
      <div className="row" aria-live="polite">
        <StatusBadge status={order.status} />
        <span className="muted">
          <strong data-testid="order-number">{orderName(order)}</strong> · placed {formatTime(order.createTime)}
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
  );
}

function OrderDetail({ order, catalog, live, refresh }: { order: Order; catalog: Catalog; live: boolean; refresh: () => void }) {
  const router = useRouter();
  const cancel = useMutation(OrderService.method.cancelOrder, { onSuccess: () => refresh() });
  const reached = HAPPY_PATH.indexOf(order.status);
  const paid = () => router.push(`/orders/${order.id}/confirmation`);

  return (
    <div className="stack">
      <LiveStatus order={order} live={live} refresh={refresh} />
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
          <OrderLines order={order} catalog={catalog} />
          <ShipTo order={order} />
          <OrderHistory order={order} />
        </div>

        <aside className="stack">
          <section className="card" aria-labelledby="total-heading">
            <h2 id="total-heading" style={{ marginTop: 0 }}>
              Total
            </h2>
            <OrderTotals order={order} />
          </section>
          {order.status === OrderStatus.PENDING_PAYMENT ? <Payment order={order} live={live} refresh={refresh} onPaid={paid} /> : null}
          {customerMayCancel(order) ? (
            <button
              type="button"
              className="danger"
              disabled={cancel.isPending}
              onClick={() => {
                if (window.confirm(`Cancel ${orderName(order)}?`)) cancel.mutate({ id: order.id });
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

/**
 * The payment form and one message about the last attempt: an error for a
 * declined card (with the reason the order records, once it has it), never
 * a success next to it.
 */
function Payment({ order, live, refresh, onPaid }: { order: Order; live: boolean; refresh: () => void; onPaid: () => void }) {
  const config = useConfig();
  const [declined, setDeclined] = useState(false);
  const payment = order.payment;
  const reason = payment?.failureReason ?? "";
  return (
    <section className="card" aria-labelledby="pay-heading">
      <h2 id="pay-heading" style={{ marginTop: 0 }}>
        Payment
      </h2>
      <div aria-live="assertive">
        {declined || reason ? (
          <p className="alert" role="alert" data-testid="payment-failure">
            The card was declined{reason ? `: ${reason}` : ""}. Try another card.
          </p>
        ) : null}
      </div>
      {!payment?.paymentIntentId ? (
        <p className="muted">The payment is being prepared. Check again in a moment.</p>
      ) : payment.provider === "stripe" ? (
        <StripePayment order={order} publishableKey={config.stripePublishableKey} onPaid={onPaid} />
      ) : config.testPayments ? (
        <TestCardPayment
          order={order}
          onSending={() => setDeclined(false)}
          onSent={(outcome) => {
            if (outcome === "succeeded") {
              onPaid();
              return;
            }
            setDeclined(true);
            if (!live) refresh();
          }}
        />
      ) : (
        <p className="muted">
          This shop uses the test payment provider. Pay from a terminal: <code>harness dev pay {order.id}</code>
        </p>
      )}
    </section>
  );
}
