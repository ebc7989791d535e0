// The order lifecycle as the shop shows it: status names, and which moves an
// admin may make from a status (domain/lifecycle's table for the admin and
// the admin's refund; the server checks every move again).

import { OrderStatus } from "./harness";

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

const ADMIN_MOVES: Partial<Record<OrderStatus, AdminMove[]>> = {
  [OrderStatus.PENDING_PAYMENT]: [{ to: OrderStatus.CANCELLED, label: "Cancel", refund: false }],
  [OrderStatus.PAID]: [
    { to: OrderStatus.IN_PRODUCTION, label: "Start production", refund: false },
    { to: OrderStatus.REFUNDED, label: "Refund", refund: true },
  ],
  [OrderStatus.IN_PRODUCTION]: [
    { to: OrderStatus.SHIPPED, label: "Mark shipped", refund: false },
    { to: OrderStatus.REFUNDED, label: "Refund", refund: true },
  ],
  [OrderStatus.SHIPPED]: [{ to: OrderStatus.DELIVERED, label: "Mark delivered", refund: false }],
};

/** The moves an admin may make from status; none from a final status. */
export function adminMoves(status: OrderStatus): AdminMove[] {
  return (ADMIN_MOVES[status] ?? []).map((m) => ({ ...m }));
}

/** Whether the order's owner may still cancel it. */
export function customerMayCancel(status: OrderStatus): boolean {
  return status === OrderStatus.PENDING_PAYMENT;
}

/** The statuses in the order a happy order goes through, for a progress bar. */
export const HAPPY_PATH: readonly OrderStatus[] = [
  OrderStatus.PENDING_PAYMENT,
  OrderStatus.PAID,
  OrderStatus.IN_PRODUCTION,
  OrderStatus.SHIPPED,
  OrderStatus.DELIVERED,
];
