// Orders through the TS client: create with an idempotency key, pay with the
// embedded provider's signed webhook (`harness dev pay`), cancel.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";

import { Code, OrderStatus, createHarnessClient } from "@harnesshero/client/all";

import { RUN, basicDesign, expectCode, harnessUrl, signUp } from "./support.js";

const address = {
  name: "Ada Barker",
  line1: "1 Kennel Lane",
  city: "Portland",
  region: "OR",
  postalCode: "97201",
  countryCode: "US",
};

/** Pays an order the way the Stripe CLI would trigger it. */
function devPay(orderId: string): void {
  const bin = process.env.HARNESS_TEST_BIN;
  const dir = process.env.HARNESS_TEST_DATA_DIR;
  assert.ok(bin && dir, "HARNESS_TEST_BIN and HARNESS_TEST_DATA_DIR are set by scripts/with-server.sh");
  execFileSync(bin, ["dev", "pay", orderId, "--url", harnessUrl(), "--data-dir", dir], { stdio: "pipe" });
}

describe("orders", () => {
  it("creates an order once per idempotency key, prices it, and pays it", async () => {
    const me = await signUp("orders");
    const harness = createHarnessClient({ baseUrl: harnessUrl(), token: me.token });
    const { design } = await harness.designs.createDesign({ name: `${RUN} order`, design: basicDesign() });
    assert.ok(design);
    const request = {
      lines: [{ designId: design.id, quantity: 3 }],
      shippingAddress: address,
      idempotencyKey: `${RUN}-checkout`,
    };
    const first = await harness.orders.createOrder(request);
    const again = await harness.orders.createOrder(request);
    assert.equal(again.order?.id, first.order?.id);
    // 3 × 3400 = 10200 − 1020 = 9180, free shipping.
    assert.equal(first.order?.subtotalCents, 9180);
    assert.equal(first.order?.shippingCents, 0);
    assert.equal(first.order?.totalCents, 9180);
    assert.equal(first.order?.status, OrderStatus.PENDING_PAYMENT);
    assert.ok(first.order?.payment?.clientSecret, "the web app needs the client secret to collect payment");

    devPay(first.order!.id);
    let status = OrderStatus.PENDING_PAYMENT;
    for (let i = 0; i < 300 && status !== OrderStatus.PAID; i++) {
      status = (await harness.orders.getOrder({ id: first.order!.id })).order!.status;
      if (status !== OrderStatus.PAID) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(status, OrderStatus.PAID);
    await expectCode(harness.orders.cancelOrder({ id: first.order!.id }), Code.FailedPrecondition);
  });

  it("cancels an unpaid order, and keeps orders to their owner", async () => {
    const alice = createHarnessClient({ baseUrl: harnessUrl(), token: (await signUp("alice-orders")).token });
    const bob = createHarnessClient({ baseUrl: harnessUrl(), token: (await signUp("bob-orders")).token });
    const { design } = await alice.designs.createDesign({ name: `${RUN} cancel`, design: basicDesign() });
    const { order } = await alice.orders.createOrder({ lines: [{ designId: design!.id, quantity: 1 }], shippingAddress: address });
    assert.equal(order?.totalCents, 3400 + 599);
    await expectCode(bob.orders.getOrder({ id: order!.id }), Code.NotFound);
    await expectCode(bob.orders.cancelOrder({ id: order!.id }), Code.NotFound);
    const cancelled = await alice.orders.cancelOrder({ id: order!.id });
    assert.equal(cancelled.order?.status, OrderStatus.CANCELLED);
    await expectCode(alice.orders.adminListOrders({}), Code.PermissionDenied);
  });
});
