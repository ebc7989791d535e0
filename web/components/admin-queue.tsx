"use client";

// The order queue: orders by status, newest first, each named "Order #N"
// and linked to its admin page, with what the payment provider refunded of
// each (partial refunds add up), and the moves an admin may make now.

import { useState } from "react";
import Link from "next/link";
import { useInfiniteQuery } from "@connectrpc/connect-query";

import { statusLabel } from "@/lib/lifecycle";
import { OrderService, OrderStatus, type Catalog } from "@/lib/harness";
import { countryName } from "@/lib/countries";
import { describeDesign } from "@/lib/labels";
import { formatCents } from "@/lib/money";
import { formatTime, orderName } from "@/lib/orders";
import { MoveButtons, MoveMessage, useAdminMoves } from "./admin-moves";
import { HarnessPicture } from "./harness-picture";
import { StatusBadge } from "./order-parts";

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
  const [statuses, setStatuses] = useState<OrderStatus[]>([OrderStatus.PAID, OrderStatus.IN_PRODUCTION, OrderStatus.SHIPPED]);
  const list = useInfiniteQuery(
    OrderService.method.adminListOrders,
    { statuses, pageSize: 25, pageToken: "" },
    { pageParamKey: "pageToken", getNextPageParam: (last) => last.nextPageToken || undefined },
  );
  const { apply, message, busy } = useAdminMoves();

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
      <MoveMessage message={message} />
      {list.error ? (
        <p className="alert">Could not load the orders: {list.error.rawMessage}</p>
      ) : list.isPending ? (
        <p className="muted">Loading orders…</p>
      ) : orders.length === 0 ? (
        <p className="card">No orders with these statuses.</p>
      ) : (
        <div className="scroll-x" data-testid="queue-scroll">
          <table aria-label="Order queue" className="queue">
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Items</th>
                <th scope="col">Ship to</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Total
                </th>
                <th scope="col">Moves</th>
              </tr>
            </thead>
            <tbody>
              {orders.map((o) => (
                <tr key={o.id} data-order-id={o.id}>
                  <td>
                    <Link href={`/admin/orders/${o.id}`} data-testid="queue-order-link">
                      {orderName(o)}
                    </Link>
                    <div className="hint">{formatTime(o.createTime)}</div>
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
                  <td>
                    {o.shippingAddress?.name}, {o.shippingAddress?.city}{" "}
                    {o.shippingAddress?.countryCode ? countryName(o.shippingAddress.countryCode) : ""}
                  </td>
                  <td>
                    <StatusBadge status={o.status} />
                  </td>
                  <td className="num">
                    {formatCents(o.totalCents)}
                    <div className="hint" data-testid="refunded" data-cents={o.payment?.refundedCents ?? 0}>
                      {o.payment?.refundedCents ? `refunded ${formatCents(o.payment.refundedCents)}` : ""}
                    </div>
                  </td>
                  <td>
                    <MoveButtons order={o} busy={busy} apply={apply} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.hasNextPage ? (
        <button type="button" className="secondary" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          More orders
        </button>
      ) : null}
    </section>
  );
}
