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

test("an order is named by its number, and a declined payment reads as one", async () => {
  const { describeChange, orderName } = await import("../lib/orders");
  assert.equal(orderName(create(OrderSchema, { number: 42n })), "Order #42");
  const declined = { from: OrderStatus.PENDING_PAYMENT, to: OrderStatus.PENDING_PAYMENT, actor: "payment-provider", note: "payment failed: card declined" };
  assert.deepEqual(describeChange(declined as never), { kind: "declined", text: "Payment declined: card declined" });
  assert.equal(describeChange({ from: OrderStatus.UNSPECIFIED, to: OrderStatus.PENDING_PAYMENT, note: "" } as never).kind, "placed");
  assert.equal(describeChange({ from: OrderStatus.PENDING_PAYMENT, to: OrderStatus.PAID, note: "" } as never).text, "Awaiting payment → Paid");
});

test("the token's role claim is read, a garbled token has none", async () => {
  const { tokenRole } = await import("../lib/role");
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  assert.equal(tokenRole(`${b64({ alg: "EdDSA" })}.${b64({ sub: "u1", role: "admin", sid: "s" })}.sig`), "admin");
  assert.equal(tokenRole(`${b64({ alg: "EdDSA" })}.${b64({ sub: "u1", role: "user" })}.sig`), "user");
  assert.equal(tokenRole("not-a-token"), "");
  assert.equal(tokenRole(undefined), "");
});
