// The cart in localStorage, read through a store React subscribes to.

import { parseCart, type CartLine } from "./cart";

export const CART_KEY = "harness.cart";

type Listener = () => void;
const listeners = new Set<Listener>();
const EMPTY: CartLine[] = [];
let cached: { raw: string | null; value: CartLine[] } = { raw: null, value: EMPTY };

/** The stored cart (empty on the server). */
export function getCart(): CartLine[] {
  if (typeof window === "undefined") return EMPTY;
  const raw = window.localStorage.getItem(CART_KEY);
  if (raw !== cached.raw) cached = { raw, value: parseCart(raw) };
  return cached.value;
}

/** Replaces the stored cart and tells the subscribers. */
export function saveCart(cart: CartLine[]): void {
  if (cart.length === 0) window.localStorage.removeItem(CART_KEY);
  else window.localStorage.setItem(CART_KEY, JSON.stringify(cart));
  for (const l of listeners) l();
}

export function subscribeCart(listener: Listener): () => void {
  listeners.add(listener);
  const onStorage = (e: StorageEvent) => {
    if (e.key === CART_KEY || e.key === null) listener();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", onStorage);
  };
}

export function getServerCart(): CartLine[] {
  return EMPTY;
}
