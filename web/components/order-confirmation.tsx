"use client";

// The page a customer lands on after paying: the order's number, what was
// bought (with the designs' pictures), the total, where it ships, the e-mail
// the receipt goes to, and the status kept live (the payment is confirmed
// by the provider's webhook, a moment after the card was taken).

import Link from "next/link";

import { useSession } from "@/app/providers";
import { OrderStatus, type Catalog } from "@/lib/harness";
import { formatCents } from "@/lib/money";
import { orderName } from "@/lib/orders";
import { useOrderWatch } from "@/lib/order-watch";
import { OrderLines, ShipTo } from "./order-parts";
import { LiveStatus, OrderProblem } from "./order-view";

export function OrderConfirmation({ id, catalog }: { id: string; catalog: Catalog }) {
  const session = useSession();
  const { order, error, isPending, live, refresh } = useOrderWatch(id);
  if (isPending && !error) return <p className="muted">Loading the order…</p>;
  if (error || !order) return <OrderProblem error={error} />;
  const confirmed = order.status !== OrderStatus.PENDING_PAYMENT;
  return (
    <div className="stack" data-testid="confirmation">
      <div className="card" aria-live="polite">
        <p style={{ marginTop: 0 }}>
          <strong data-testid="confirmation-number">{orderName(order)}</strong>{" "}
          {confirmed ? "is confirmed." : "is placed: the payment is being confirmed."}
        </p>
        <p style={{ marginBottom: 0 }}>
          {session?.user.email ? (
            <>
              A receipt goes to <strong data-testid="receipt-email">{session.user.email}</strong>.{" "}
            </>
          ) : null}
          Total <strong data-testid="confirmation-total" data-cents={order.totalCents}>{formatCents(order.totalCents)}</strong>.
        </p>
      </div>
      <LiveStatus order={order} live={live} refresh={refresh} />
      <OrderLines order={order} catalog={catalog} idPrefix="confirmed" />
      <ShipTo order={order} />
      <p className="row">
        <Link href={`/orders/${order.id}`}>Order details and history</Link>
        <Link href="/">Design another harness</Link>
      </p>
    </div>
  );
}
