// The order lifecycle as the shop shows it: status names, and the labels of
// the moves each order says it allows (Order.adminMoves and customerMoves,
// from domain/lifecycle; the server checks every move again).

import { OrderStatus, type Order } from "./harness";

/** What the shop calls each status. */
export const STATUS_LABELS: Record<OrderStatus, string> = {
  [OrderStatus.UNSPECIFIED]: "Unknown",
  [OrderStatus.PENDING_PAYMENT]: "Awaiting payment",
  [OrderStatus.PAID]: "Paid",
  [OrderStatus.IN_PRODUCTION]: "In production",
  [OrderStatus.SHIPPED]: "Shipped",
  [OrderStatus.DELIVERED]: "Delivered",
  [OrderStatus.CANCELLED]: "Cancelled",
  [OrderStatus.REFUNDED]: "Refunded",
};

/** The status's label, or "Unknown" for a value this build does not know. */
export function statusLabel(status: OrderStatus): string {
  return STATUS_LABELS[status] ?? STATUS_LABELS[OrderStatus.UNSPECIFIED];
}

/** An admin's move: AdminMoveOrder to `to`, or AdminRefundOrder when `refund`. */
export interface AdminMove {
  to: OrderStatus;
  label: string;
  refund: boolean;
}

/** What the admin's button says for a move to a status. */
const MOVE_LABELS: Partial<Record<OrderStatus, string>> = {
  [OrderStatus.CANCELLED]: "Cancel",
  [OrderStatus.IN_PRODUCTION]: "Start production",
  [OrderStatus.SHIPPED]: "Mark shipped",
  [OrderStatus.DELIVERED]: "Mark delivered",
  [OrderStatus.REFUNDED]: "Refund",
};

/**
 * The moves an admin may make on the order now: the server says which
 * (Order.adminMoves, from domain/lifecycle), so no rule is copied here;
 * this adds the buttons' labels.
 */
export function adminMoves(order: Pick<Order, "adminMoves">): AdminMove[] {
  return order.adminMoves.map((m) => ({
    to: m.to,
    refund: m.refund,
    label: MOVE_LABELS[m.to] ?? `Move to ${statusLabel(m.to)}`,
  }));
}

/** Whether the order's owner may still cancel it (Order.customerMoves). */
export function customerMayCancel(order: Pick<Order, "customerMoves">): boolean {
  return order.customerMoves.includes(OrderStatus.CANCELLED);
}

/** The statuses in the order a happy order goes through, for a progress bar. */
export const HAPPY_PATH: readonly OrderStatus[] = [
  OrderStatus.PENDING_PAYMENT,
  OrderStatus.PAID,
  OrderStatus.IN_PRODUCTION,
  OrderStatus.SHIPPED,
  OrderStatus.DELIVERED,
];
