// The cart in localStorage, read through a store React subscribes to. A
// signed-in user's cart is kept under their user id and a guest's apart, so
// the next person on the same browser never sees the last one's lines, and
// signing out puts the user's cart out of sight (it is back when they sign
// in again). Signing in takes the guest's cart into the user's
// (adoptGuestCart), which is how a cart made before an account is kept.

import { mergeCarts, parseCart, type CartLine } from "./cart";
import { getSession, subscribeSession } from "./session";

/** The guest's cart. */
export const GUEST_CART_KEY = "harness.cart.guest";
/** The cart of the user with this id. */
export const userCartKey = (userId: string) => `harness.cart.user.${userId}`;
/** The one cart of the browser before carts were per user: removed when seen. */
const LEGACY_CART_KEY = "harness.cart";

type Listener = () => void;
const listeners = new Set<Listener>();
const EMPTY: CartLine[] = [];
let cached: { key: string; raw: string | null; value: CartLine[] } = { key: "", raw: null, value: EMPTY };

function currentKey(): string {
  const session = getSession();
  return session ? userCartKey(session.user.id) : GUEST_CART_KEY;
}

function read(key: string): CartLine[] {
  return parseCart(window.localStorage.getItem(key));
}

function write(key: string, cart: CartLine[]): void {
  if (cart.length === 0) window.localStorage.removeItem(key);
  else window.localStorage.setItem(key, JSON.stringify(cart));
}

function notify(): void {
  for (const l of listeners) l();
}

/** The cart of whoever uses the page now (empty on the server). */
export function getCart(): CartLine[] {
  if (typeof window === "undefined") return EMPTY;
  const key = currentKey();
  const raw = window.localStorage.getItem(key);
  if (key !== cached.key || raw !== cached.raw) cached = { key, raw, value: parseCart(raw) };
  return cached.value;
}

/** Replaces the current cart and tells the subscribers. */
export function saveCart(cart: CartLine[]): void {
  write(currentKey(), cart);
  notify();
}

/** Changes the current cart from what is stored now (another tab's change included). */
export function updateCart(change: (cart: CartLine[]) => CartLine[]): void {
  saveCart(change(getCart()));
}

/**
 * Takes the guest's cart into the cart of the user who just signed in (call
 * it before storing the session): their lines first, then the guest's, up to
 * 20; the guest's cart is emptied. Returns how many lines did not fit.
 */
export function adoptGuestCart(userId: string): number {
  const guest = read(GUEST_CART_KEY);
  if (guest.length === 0) return 0;
  const key = userCartKey(userId);
  const { cart, dropped } = mergeCarts(read(key), guest);
  write(key, cart);
  window.localStorage.removeItem(GUEST_CART_KEY);
  notify();
  return dropped;
}

/** Subscribes to the cart: its changes, from this tab and others, and who is signed in. */
export function subscribeCart(listener: Listener): () => void {
  if (window.localStorage.getItem(LEGACY_CART_KEY) !== null) window.localStorage.removeItem(LEGACY_CART_KEY);
  listeners.add(listener);
  const unsubscribeSession = subscribeSession(listener);
  const onStorage = (e: StorageEvent) => {
    if (e.key === null || e.key.startsWith("harness.cart.")) listener();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(listener);
    unsubscribeSession();
    window.removeEventListener("storage", onStorage);
  };
}

export function getServerCart(): CartLine[] {
  return EMPTY;
}
