"use client";

// An order as the admin sees it (AdminGetOrder: any customer's order): what
// to make (the designs' pictures and lines), where it goes, the payment and
// every attempt at it (declines included), the history with who moved it,
// and the moves the order allows now.

import Link from "next/link";
import { useQuery } from "@connectrpc/connect-query";

import { OrderService, type Catalog, type Order } from "@/lib/harness";
import { formatCents } from "@/lib/money";
import { formatTime, isDeclined, orderName } from "@/lib/orders";
import { MoveButtons, MoveMessage, useAdminMoves } from "./admin-moves";
import { OrderHistory, OrderLines, OrderTotals, ShipTo, StatusBadge } from "./order-parts";
import { OrderProblem } from "./order-view";

export function AdminOrder({ id, catalog }: { id: string; catalog: Catalog }) {
  const query = useQuery(OrderService.method.adminGetOrder, { id });
  const { apply, message, busy } = useAdminMoves();
  if (query.isPending) return <p className="muted">Loading the order…</p>;
  const order = query.data?.order;
  if (query.error || !order) return <OrderProblem error={query.error} />;
  return (
    <div className="stack">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <div className="row" aria-live="polite">
          <StatusBadge status={order.status} />
          <span>
            <strong data-testid="order-number">{orderName(order)}</strong> <span className="muted">· placed {formatTime(order.createTime)}</span>
          </span>
        </div>
        <Link href="/admin">Back to the queue</Link>
      </div>
      <section className="card" aria-labelledby="moves-heading">
        <h2 id="moves-heading" style={{ marginTop: 0 }}>
          Moves
        </h2>
        {order.adminMoves.length > 0 ? (
          <MoveButtons order={order} busy={busy} apply={apply} />
        ) : (
          <p className="muted">No move is allowed from this status.</p>
        )}
        <MoveMessage message={message} />
      </section>
      <div className="grid-2">
        <div className="stack">
          <h2>What to make</h2>
          <OrderLines order={order} catalog={catalog} idPrefix="admin-line" />
          <OrderHistory order={order} actors />
        </div>
        <aside className="stack">
          <ShipTo order={order} />
          <PaymentCard order={order} />
        </aside>
      </div>
    </div>
  );
}

function PaymentCard({ order }: { order: Order }) {
  const p = order.payment;
  const attempts = order.history.filter(isDeclined).length + (p?.paidTime ? 1 : 0);
  return (
    <section className="card" aria-labelledby="payment-heading" data-testid="admin-payment">
      <h2 id="payment-heading" style={{ marginTop: 0 }}>
        Payment
      </h2>
      <OrderTotals order={order} />
      <dl className="facts">
        <dt>Provider</dt>
        <dd>{p?.provider || "—"}</dd>
        <dt>Payment intent</dt>
        <dd>
          <code>{p?.paymentIntentId || "—"}</code>
        </dd>
        <dt>Paid</dt>
        <dd data-testid="paid-time">{p?.paidTime ? formatTime(p.paidTime) : "not yet"}</dd>
        <dt>Attempts</dt>
        <dd data-testid="payment-attempts">
          {attempts}, declined {order.history.filter(isDeclined).length}
        </dd>
        {p?.failureReason ? (
          <>
            <dt>Last failure</dt>
            <dd>{p.failureReason}</dd>
          </>
        ) : null}
        {p?.refundedCents ? (
          <>
            <dt>Refunded</dt>
            <dd>
              {formatCents(p.refundedCents)} {p.refundTime ? `on ${formatTime(p.refundTime)}` : ""}
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}
