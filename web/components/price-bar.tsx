"use client";

// On narrow screens, a bar stuck to the bottom of the builder with the price
// (or the previous one, marked) and the next step, so every change is priced
// on screen. Hidden on wide screens, where the price panel stays in view.

import type { ReactNode } from "react";

import type { LineQuote } from "@/lib/harness";
import { formatCents } from "@/lib/money";
import type { PriceState } from "./price-panel";

export function PriceBar({ quote, stale, state, children }: { quote?: LineQuote; stale?: LineQuote; state: PriceState; children: ReactNode }) {
  const shown = state === "fresh" ? quote : stale;
  return (
    <div className="price-bar" role="region" aria-label="Price and next step" data-testid="price-bar">
      <div>
        {shown ? (
          <span
            className={state === "fresh" ? "bar-price" : "bar-price stale"}
            data-testid={state === "fresh" ? "bar-total" : "bar-stale-total"}
            data-cents={shown.totalCents}
          >
            {state === "fresh" ? null : <span className="sr-only">Previous price: </span>}
            {formatCents(shown.totalCents)}
          </span>
        ) : (
          <span className="muted">{state === "invalid" ? "Fix the highlighted choices" : "Pricing…"}</span>
        )}
        {state === "pending" && shown ? <span className="hint"> updating…</span> : null}
        {state === "invalid" && shown ? <span className="hint"> previous price</span> : null}
      </div>
      <div className="row">{children}</div>
    </div>
  );
}
