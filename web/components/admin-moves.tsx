"use client";

// An admin's moves on an order: the buttons of the moves the order allows
// (Order.adminMoves), AdminMoveOrder with the version the admin saw, or
// AdminRefundOrder after a confirmation that names the order by its number.
// The server checks every move again; a stale version is refused and the
// page's queries are read again.

import { useState } from "react";
import { useMutation } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";

import { Code, ConnectError, OrderService, OrderStatus, type Order } from "@/lib/harness";
import { adminMoves, statusLabel, type AdminMove } from "@/lib/lifecycle";
import { formatCents } from "@/lib/money";
import { orderName } from "@/lib/orders";

export function useAdminMoves() {
  const queryClient = useQueryClient();
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const move = useMutation(OrderService.method.adminMoveOrder);
  const refund = useMutation(OrderService.method.adminRefundOrder);

  async function apply(order: Order, m: AdminMove) {
    setMessage(null);
    const name = orderName(order);
    const left = order.totalCents - (order.payment?.refundedCents ?? 0);
    if (m.refund && !window.confirm(`Refund ${formatCents(left)} for ${name}?`)) return;
    try {
      if (m.refund) await refund.mutateAsync({ id: order.id, note: "refunded from the admin page" });
      else await move.mutateAsync({ id: order.id, status: m.to, expectedVersion: order.version });
      setMessage({ text: `${name}: ${statusLabel(m.to)}.`, error: false });
    } catch (err) {
      const ce = ConnectError.from(err);
      setMessage({
        text:
          ce.code === Code.Aborted || ce.code === Code.FailedPrecondition
            ? `${name} changed meanwhile; the page is up to date now.`
            : `${name}: ${ce.rawMessage}`,
        error: true,
      });
    }
    await queryClient.invalidateQueries();
  }

  return { apply, message, busy: move.isPending || refund.isPending };
}

export function MoveButtons({ order, busy, apply }: { order: Order; busy: boolean; apply: (o: Order, m: AdminMove) => void }) {
  return (
    <div className="row">
      {adminMoves(order).map((m) => (
        <button
          key={m.label}
          type="button"
          className={m.refund || m.to === OrderStatus.CANCELLED ? "small danger" : "small"}
          disabled={busy}
          onClick={() => void apply(order, m)}
        >
          {m.label}
        </button>
      ))}
    </div>
  );
}

export function MoveMessage({ message }: { message: { text: string; error: boolean } | null }) {
  return <div aria-live="polite">{message ? <p className={message.error ? "alert" : "notice"}>{message.text}</p> : null}</div>;
}
