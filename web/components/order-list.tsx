"use client";

import Link from "next/link";
import { useInfiniteQuery } from "@connectrpc/connect-query";

import { OrderService, type Catalog } from "@/lib/harness";
import { formatCents } from "@/lib/money";
import { orderName } from "@/lib/orders";
import { HarnessPicture } from "./harness-picture";
import { StatusBadge } from "./order-parts";

/** The user's orders, newest first, with their status. */
export function OrderList({ catalog }: { catalog: Catalog }) {
  const list = useInfiniteQuery(
    OrderService.method.listOrders,
    { pageSize: 20, pageToken: "" },
    { pageParamKey: "pageToken", getNextPageParam: (last) => last.nextPageToken || undefined },
  );
  if (list.isPending) return <p className="muted">Loading your orders…</p>;
  if (list.error) return <p className="alert">Could not load your orders: {list.error.rawMessage}</p>;
  const orders = list.data.pages.flatMap((p) => p.orders);
  if (orders.length === 0) {
    return (
      <p className="card">
        No orders yet. <Link href="/">Design a harness</Link> to get started.
      </p>
    );
  }
  return (
    <div className="stack">
      <table aria-label="Orders">
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Placed</th>
            <th scope="col">Items</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {orders.map((o) => (
            <tr key={o.id} data-order-id={o.id}>
              <td>
                <Link href={`/orders/${o.id}`}>{orderName(o)}</Link>
              </td>
              <td>{o.createTime ? new Date(Number(o.createTime.seconds) * 1000).toLocaleDateString() : ""}</td>
              <td>
                <div className="with-thumb">
                  {o.lines.map((l) => (
                    <HarnessPicture key={l.designId} catalog={catalog} design={l.design} width={64} id={`order-${o.id}-${l.designId}`} decorative />
                  ))}
                  <span>{o.lines.map((l) => l.designName || "Untitled design").join(", ")}</span>
                </div>
              </td>
              <td>
                <StatusBadge status={o.status} />
              </td>
              <td className="num">{formatCents(o.totalCents)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.hasNextPage ? (
        <button type="button" className="secondary" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          Older orders
        </button>
      ) : null}
    </div>
  );
}
