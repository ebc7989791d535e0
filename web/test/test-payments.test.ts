import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";

import { paymentEvent, signatureHeader, testCardOutcome } from "../lib/test-payments";

test("the test cards", () => {
  assert.equal(testCardOutcome("4242 4242 4242 4242"), "succeeded");
  assert.equal(testCardOutcome("4242-4242-4242-4242"), "succeeded");
  assert.equal(testCardOutcome("4000000000000002"), "failed");
  assert.equal(testCardOutcome("4111111111111111"), undefined);
  assert.equal(testCardOutcome(""), undefined);
});

test("the signature is Stripe's scheme: t=<unix>,v1=HMAC-SHA256(secret, t.body)", () => {
  const at = new Date("2026-11-27T10:00:00Z");
  const header = signatureHeader('{"a":1}', "whsec_test", at);
  const t = Math.floor(at.getTime() / 1000);
  assert.equal(header, `t=${t},v1=${createHmac("sha256", "whsec_test").update(`${t}.{"a":1}`).digest("hex")}`);
  assert.notEqual(signatureHeader('{"a":2}', "whsec_test", at), header, "the body is signed");
});

test("a payment event names the intent, the order and the amount", () => {
  const ok = JSON.parse(paymentEvent("succeeded", "pi_test_1", "order-1", 4250, "USD"));
  assert.equal(ok.object, "event");
  assert.equal(ok.type, "payment_intent.succeeded");
  assert.match(ok.id, /^evt_[0-9a-f]{24}$/);
  assert.deepEqual(
    { id: ok.data.object.id, amount: ok.data.object.amount_received, currency: ok.data.object.currency, order: ok.data.object.metadata.order_id },
    { id: "pi_test_1", amount: 4250, currency: "usd", order: "order-1" },
  );
  const failed = JSON.parse(paymentEvent("failed", "pi_test_1", "order-1", 4250, "usd"));
  assert.equal(failed.type, "payment_intent.payment_failed");
  assert.equal(failed.data.object.amount_received, 0);
  assert.equal(failed.data.object.last_payment_error.message, "Your card was declined.");
  assert.notEqual(failed.id, ok.id, "every event has its own id");
});
