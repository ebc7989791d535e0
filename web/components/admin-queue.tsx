"use client";

// The order queue: orders by status, newest first, with what the payment
// provider refunded of each (partial refunds add up), and the moves an admin
// may make from each one's status (the server checks each move again; a
// stale version is refused and the list is read again).

import { useState } from "react";
import { useInfiniteQuery, useMutation } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";

import { adminMoves, statusLabel, type AdminMove } from "@/lib/lifecycle";
import { Code, ConnectError, OrderService, OrderStatus, type Catalog, type Order } from "@/lib/harness";
import { describeDesign } from "@/lib/labels";
import { formatCents } from "@/lib/money";
import { HarnessPicture } from "./harness-picture";
import { StatusBadge } from "./order-view";

const FILTERS = [
  OrderStatus.PENDING_PAYMENT,
  OrderStatus.PAID,
  OrderStatus.IN_PRODUCTION,
  OrderStatus.SHIPPED,
  OrderStatus.DELIVERED,
  OrderStatus.CANCELLED,
  OrderStatus.REFUNDED,
];

export function AdminQueue({ catalog }: { catalog: Catalog }) {
  const queryClient = useQueryClient();
  const [statuses, setStatuses] = useState<OrderStatus[]>([OrderStatus.PAID, OrderStatus.IN_PRODUCTION, OrderStatus.SHIPPED]);
  const [message, setMessage] = useState("");
  const list = useInfiniteQuery(
    OrderService.method.adminListOrders,
    { statuses, pageSize: 25, pageToken: "" },
    { pageParamKey: "pageToken", getNextPageParam: (last) => last.nextPageToken || undefined },
  );
  const move = useMutation(OrderService.method.adminMoveOrder);
  const refund = useMutation(OrderService.method.adminRefundOrder);

  async function apply(order: Order, m: AdminMove) {
    setMessage("");
    const left = order.totalCents - (order.payment?.refundedCents ?? 0);
    if (m.refund && !window.confirm(`Refund ${formatCents(left)} for order ${order.id.slice(0, 8)}?`)) return;
    try {
      if (m.refund) await refund.mutateAsync({ id: order.id, note: "refunded from the admin page" });
      else await move.mutateAsync({ id: order.id, status: m.to, expectedVersion: order.version });
      setMessage(`Order ${order.id.slice(0, 8)}: ${statusLabel(m.to)}.`);
    } catch (err) {
      const ce = ConnectError.from(err);
      setMessage(
        ce.code === Code.Aborted || ce.code === Code.FailedPrecondition
          ? `Order ${order.id.slice(0, 8)} changed meanwhile; the list is up to date now.`
          : `Order ${order.id.slice(0, 8)}: ${ce.rawMessage}`,
      );
    }
    await queryClient.invalidateQueries();
  }

  const orders = list.data?.pages.flatMap((p) => p.orders) ?? [];
  return (
    <section aria-labelledby="queue-heading" className="stack">
      <h2 id="queue-heading">Order queue</h2>
      <fieldset>
        <legend>Show orders that are</legend>
        <div className="choices">
          {FILTERS.map((s) => (
            <label key={s} className="choice">
              <input
                type="checkbox"
                checked={statuses.includes(s)}
                onChange={(e) => setStatuses((cur) => (e.target.checked ? [...cur, s] : cur.filter((x) => x !== s)).sort())}
              />
              {statusLabel(s)}
            </label>
          ))}
        </div>
      </fieldset>
      <div aria-live="polite">{message ? <p className="notice">{message}</p> : null}</div>
      {list.error ? <p className="alert">Could not load the orders: {list.error.rawMessage}</p> : null}
      {list.isPending ? (
        <p className="muted">Loading orders…</p>
      ) : orders.length === 0 ? (
        <p className="card">No orders with these statuses.</p>
      ) : (
        <table aria-label="Order queue">
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Items</th>
              <th scope="col">Placed</th>
              <th scope="col">Ship to</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Total
              </th>
              <th scope="col" className="num">
                Refunded
              </th>
              <th scope="col">Moves</th>
            </tr>
          </thead>
          <tbody>
            {orders.map((o) => (
              <tr key={o.id} data-order-id={o.id}>
                <td>
                  <code>{o.id.slice(0, 8)}</code>
                </td>
                <td>
                  {o.lines.map((l) => (
                    <div key={l.designId} className="with-thumb">
                      <HarnessPicture catalog={catalog} design={l.design} width={64} id={`queue-${o.id}-${l.designId}`} decorative />
                      <span className="hint">
                        {l.quote?.quantity ?? 1} × {describeDesign(catalog, l.design)}
                      </span>
                    </div>
                  ))}
                </td>
                <td>{o.createTime ? new Date(Number(o.createTime.seconds) * 1000).toLocaleString() : ""}</td>
                <td>
                  {o.shippingAddress?.name}, {o.shippingAddress?.city} {o.shippingAddress?.countryCode}
                </td>
                <td>
                  <StatusBadge status={o.status} />
                </td>
                <td className="num">{formatCents(o.totalCents)}</td>
                <td className="num" data-testid="refunded" data-cents={o.payment?.refundedCents ?? 0}>
                  {o.payment?.refundedCents ? formatCents(o.payment.refundedCents) : "—"}
                </td>
                <td>
                  <div className="row">
                    {adminMoves(o).map((m) => (
                      <button
                        key={m.label}
                        type="button"
                        className={m.refund || m.to === OrderStatus.CANCELLED ? "small danger" : "small"}
                        disabled={move.isPending || refund.isPending}
                        onClick={() => void apply(o, m)}
                      >
                        {m.label}
                      </button>
                    ))}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.hasNextPage ? (
        <button type="button" className="secondary" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          More orders
        </button>
      ) : null}
    </section>
  );
}
