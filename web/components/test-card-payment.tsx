"use client";

// "Pay with test card": the embedded test provider's checkout. The card
// goes to this app's own route handler (/api/test-payments), which reports
// the payment to the API the way the provider's webhook would.

import { useState, type FormEvent } from "react";

import { CSRF_HEADERS } from "@/lib/csrf";
import type { Order } from "@/lib/harness";
import { formatCents } from "@/lib/money";
import { FieldError, invalidProps } from "./field";

async function post(orderId: string, card: string) {
  return fetch("/api/test-payments", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...CSRF_HEADERS },
    body: JSON.stringify({ orderId, card }),
  });
}

export function TestCardPayment({
  order,
  onSent,
  onSending,
}: {
  order: Order;
  onSent: (outcome: "succeeded" | "failed") => void;
  /** Called as an attempt starts, so the page can clear the last one's message. */
  onSending?: () => void;
}) {
  const [card, setCard] = useState("");
  const [expiry, setExpiry] = useState("12 / 34");
  const [cvc, setCvc] = useState("123");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function pay(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    onSending?.();
    setBusy(true);
    try {
      // The session's cookie goes with it; the route refreshes it when due.
      const res = await post(order.id, card);
      const answer = (await res.json()) as { outcome?: "succeeded" | "failed"; error?: string; field?: string };
      if (!res.ok || !answer.outcome) {
        setErrors({ [answer.field === "card" ? "card" : "form"]: answer.error ?? `The payment failed (${res.status}).` });
        return;
      }
      onSent(answer.outcome);
    } catch {
      setErrors({ form: "The payment could not be sent. Check your connection and try again." });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={pay} noValidate aria-label="Pay with test card">
      <p className="hint" id="test-card-hint">
        Test mode: no money moves. Use 4242 4242 4242 4242 to pay, 4000 0000 0000 0002 for a declined card.
      </p>
      <div className="field">
        <label htmlFor="card">Card number</label>
        <input
          id="card"
          type="text"
          inputMode="numeric"
          autoComplete="cc-number"
          placeholder="4242 4242 4242 4242"
          value={card}
          onChange={(e) => setCard(e.target.value)}
          {...invalidProps("card", errors, "test-card-hint")}
        />
        <FieldError name="card" errors={errors} />
      </div>
      <div className="row">
        <div className="field">
          <label htmlFor="expiry">Expiry</label>
          <input id="expiry" type="text" autoComplete="cc-exp" value={expiry} onChange={(e) => setExpiry(e.target.value)} style={{ maxWidth: "7rem" }} />
        </div>
        <div className="field">
          <label htmlFor="cvc">CVC</label>
          <input id="cvc" type="text" autoComplete="cc-csc" value={cvc} onChange={(e) => setCvc(e.target.value)} style={{ maxWidth: "5rem" }} />
        </div>
      </div>
      <FieldError name="form" errors={errors} />
      <button type="submit" disabled={busy}>
        {busy ? "Paying…" : `Pay ${formatCents(order.totalCents)} with test card`}
      </button>
    </form>
  );
}
