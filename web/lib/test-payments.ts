// The embedded test provider's payments, as the Stripe CLI would trigger
// them: a payment_intent event signed with the provider's webhook secret
// (Stripe's scheme: HMAC-SHA256 of "<t>.<body>"), posted to the API's
// /webhooks/payments. The same flow as `harness dev pay`; pure functions
// here, the route handler does the I/O.

import { createHmac, randomBytes } from "node:crypto";

/** Stripe's test cards the page accepts, and what each does. */
export const TEST_CARDS: Record<string, "succeeded" | "failed"> = {
  "4242424242424242": "succeeded",
  "4000000000000002": "failed",
};

/** The outcome of a card number typed with or without spaces, or undefined. */
export function testCardOutcome(card: string): "succeeded" | "failed" | undefined {
  return TEST_CARDS[card.replace(/[\s-]/g, "")];
}

/** A Stripe-shaped payment_intent.succeeded / payment_failed event. */
export function paymentEvent(outcome: "succeeded" | "failed", intentId: string, orderId: string, amountCents: number, currency: string, now = new Date()): string {
  const created = Math.floor(now.getTime() / 1000);
  const intent: Record<string, unknown> = {
    id: intentId,
    object: "payment_intent",
    amount: amountCents,
    amount_received: outcome === "succeeded" ? amountCents : 0,
    currency: currency.toLowerCase(),
    status: outcome === "succeeded" ? "succeeded" : "requires_payment_method",
    created,
    livemode: false,
    metadata: { order_id: orderId },
    last_payment_error:
      outcome === "failed"
        ? { type: "card_error", code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." }
        : null,
  };
  return JSON.stringify({
    id: `evt_${randomBytes(12).toString("hex")}`,
    object: "event",
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: outcome === "succeeded" ? "payment_intent.succeeded" : "payment_intent.payment_failed",
    data: { object: intent },
  });
}

/** The Stripe-Signature header of body signed with secret at now. */
export function signatureHeader(body: string, secret: string, now = new Date()): string {
  const t = Math.floor(now.getTime() / 1000);
  const v1 = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return `t=${t},v1=${v1}`;
}
