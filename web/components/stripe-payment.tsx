"use client";

// Payment with Stripe.js, when the API's payment provider is Stripe: the
// order's PaymentIntent client secret drives Stripe's Payment Element, and
// Stripe's webhook to the API marks the order paid (the page follows it).

import { useEffect, useRef, useState, type FormEvent } from "react";
// The "pure" entry adds js.stripe.com's script only when loadStripe is
// called (the default entry injects it on import, on every page that
// bundles this file, even with the embedded provider).
import type { Stripe, StripeElements } from "@stripe/stripe-js";
import { loadStripe } from "@stripe/stripe-js/pure";

import type { Order } from "@/lib/harness";
import { formatCents } from "@/lib/money";

export function StripePayment({ order, publishableKey, onPaid }: { order: Order; publishableKey: string; onPaid: () => void }) {
  const mount = useRef<HTMLDivElement>(null);
  const [stripe, setStripe] = useState<Stripe | null>(null);
  const [elements, setElements] = useState<StripeElements | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const clientSecret = order.payment?.clientSecret ?? "";

  useEffect(() => {
    if (!publishableKey || !clientSecret) return;
    let cancelled = false;
    loadStripe(publishableKey)
      .then((s) => {
        if (cancelled || !s || !mount.current) return;
        const els = s.elements({ clientSecret });
        els.create("payment").mount(mount.current);
        setStripe(s);
        setElements(els);
      })
      .catch(() => setError("Stripe could not be loaded. Check your connection and reload the page."));
    return () => {
      cancelled = true;
    };
  }, [publishableKey, clientSecret]);

  if (!publishableKey) {
    return <p className="alert">This shop takes card payments with Stripe, but no publishable key is set (HARNESS_STRIPE_PUBLISHABLE_KEY).</p>;
  }

  async function pay(e: FormEvent) {
    e.preventDefault();
    if (!stripe || !elements) return;
    setBusy(true);
    setError("");
    const { error: err } = await stripe.confirmPayment({
      elements,
      confirmParams: { return_url: window.location.href },
      redirect: "if_required",
    });
    setBusy(false);
    if (err) setError(err.message ?? "The payment failed.");
    else onPaid();
  }

  return (
    <form onSubmit={pay} aria-label="Pay with card">
      <div ref={mount} />
      {error ? (
        <p className="alert" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" disabled={!stripe || busy} style={{ marginTop: "0.75rem" }}>
        {busy ? "Paying…" : `Pay ${formatCents(order.totalCents)}`}
      </button>
    </form>
  );
}
