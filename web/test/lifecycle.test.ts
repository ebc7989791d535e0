import assert from "node:assert/strict";
import { test } from "node:test";

import { OrderStatus } from "@harnesshero/client/orders";

import { adminMoves, customerMayCancel, statusLabel } from "../lib/lifecycle";

// domain/lifecycle's admin and admin-refund moves, as the spec has them.
test("adminMoves offers exactly the spec's moves", () => {
  const table: [OrderStatus, [OrderStatus, boolean][]][] = [
    [OrderStatus.PENDING_PAYMENT, [[OrderStatus.CANCELLED, false]]],
    [OrderStatus.PAID, [[OrderStatus.IN_PRODUCTION, false], [OrderStatus.REFUNDED, true]]],
    [OrderStatus.IN_PRODUCTION, [[OrderStatus.SHIPPED, false], [OrderStatus.REFUNDED, true]]],
    [OrderStatus.SHIPPED, [[OrderStatus.DELIVERED, false]]],
    [OrderStatus.DELIVERED, []],
    [OrderStatus.CANCELLED, []],
    [OrderStatus.REFUNDED, []],
    [OrderStatus.UNSPECIFIED, []],
  ];
  for (const [from, want] of table) {
    assert.deepEqual(
      adminMoves(from).map((m) => [m.to, m.refund]),
      want,
      `from ${OrderStatus[from]}`,
    );
  }
});

test("only a pending order can be cancelled by its owner", () => {
  for (const s of [OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.CANCELLED]) assert.equal(customerMayCancel(s), false);
  assert.equal(customerMayCancel(OrderStatus.PENDING_PAYMENT), true);
});

test("every status has a label, unknown values too", () => {
  assert.equal(statusLabel(OrderStatus.PAID), "Paid");
  assert.equal(statusLabel(99 as OrderStatus), "Unknown");
});
