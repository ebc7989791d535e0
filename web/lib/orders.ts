// How the shop names an order and tells its history: "Order #N" (the
// server's human-readable number; the UUID stays for URLs and RPCs), and each
// status change in words, a declined payment included (the server records
// one as a change from PENDING_PAYMENT to PENDING_PAYMENT by the payment
// provider, its note "payment failed: <reason>").

import { OrderStatus, type Order } from "./harness";
import { statusLabel } from "./lifecycle";

/** "Order #12". */
export function orderName(order: Pick<Order, "number">): string {
  return `Order #${order.number}`;
}

/** A timestamp (seconds) as local date and time, or "". */
export function formatTime(t: { seconds: bigint } | undefined): string {
  return t ? new Date(Number(t.seconds) * 1000).toLocaleString() : "";
}

/** One entry of an order's history, as the pages show it. */
export interface HistoryEntry {
  kind: "placed" | "declined" | "move";
  text: string;
}

/** Whether a status change records a failed payment attempt. */
export function isDeclined(h: Order["history"][number]): boolean {
  return h.from === OrderStatus.PENDING_PAYMENT && h.to === OrderStatus.PENDING_PAYMENT;
}

/** A status change in words. */
export function describeChange(h: Order["history"][number]): HistoryEntry {
  if (h.from === OrderStatus.UNSPECIFIED) return { kind: "placed", text: "Order placed" };
  if (isDeclined(h)) {
    const reason = h.note.replace(/^payment failed:\s*/i, "");
    return { kind: "declined", text: reason ? `Payment declined: ${reason}` : "Payment declined" };
  }
  return { kind: "move", text: `${statusLabel(h.from)} → ${statusLabel(h.to)}${h.note ? ` (${h.note})` : ""}` };
}
