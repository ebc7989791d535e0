import assert from "node:assert/strict";
import { test } from "node:test";

import { create } from "@harnesshero/client";
import { OrderSchema, OrderStatus } from "@harnesshero/client/orders";

import { adminMoves, customerMayCancel, statusLabel } from "../lib/lifecycle";

// The server says which moves an order allows (Order.adminMoves and
// customerMoves, from domain/lifecycle; modules/order's TestOrderMoves):
// the page adds labels and keeps the server's order, refunds marked.
test("adminMoves labels the moves the order allows", () => {
  const order = create(OrderSchema, {
    status: OrderStatus.PAID,
    adminMoves: [{ to: OrderStatus.IN_PRODUCTION }, { to: OrderStatus.REFUNDED, refund: true }],
  });
  assert.deepEqual(
    adminMoves(order).map((m) => [m.to, m.refund, m.label]),
    [
      [OrderStatus.IN_PRODUCTION, false, "Start production"],
      [OrderStatus.REFUNDED, true, "Refund"],
    ],
  );
  assert.deepEqual(adminMoves(create(OrderSchema, { status: OrderStatus.DELIVERED })), []);
});

test("the owner may cancel when the order says so", () => {
  assert.equal(customerMayCancel(create(OrderSchema, { customerMoves: [OrderStatus.CANCELLED] })), true);
  assert.equal(customerMayCancel(create(OrderSchema, { customerMoves: [] })), false);
});

test("every status has a label, unknown values too", () => {
  assert.equal(statusLabel(OrderStatus.PAID), "Paid");
  assert.equal(statusLabel(99 as OrderStatus), "Unknown");
});
