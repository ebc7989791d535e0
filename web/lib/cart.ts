// The cart: saved designs and quantities, kept in the browser until an order
// is placed. Pure functions here; storage is in cart-store.ts.

/** One line of the cart: a saved design and how many. */
export interface CartLine {
  designId: string;
  quantity: number;
}

/** Quantity bounds of a line, and the most lines an order may have (spec). */
export const MIN_QUANTITY = 1;
export const MAX_QUANTITY = 10;
export const MAX_LINES = 20;

/** Clamps a quantity into 1..10; anything that is not a number becomes 1. */
export function clampQuantity(q: number): number {
  if (!Number.isFinite(q)) return MIN_QUANTITY;
  return Math.min(MAX_QUANTITY, Math.max(MIN_QUANTITY, Math.trunc(q)));
}

/**
 * Adds a design to the cart. A design already in the cart gets its quantity
 * raised (an order takes each design in one line only), up to 10. A new
 * design beyond 20 lines is refused: the cart comes back unchanged and
 * `added` is false.
 */
export function addToCart(cart: readonly CartLine[], designId: string, quantity = 1): { cart: CartLine[]; added: boolean } {
  const i = cart.findIndex((l) => l.designId === designId);
  if (i >= 0) {
    const next = cart.map((l) => ({ ...l }));
    next[i].quantity = clampQuantity(next[i].quantity + quantity);
    return { cart: next, added: true };
  }
  if (cart.length >= MAX_LINES) {
    return { cart: cart.map((l) => ({ ...l })), added: false };
  }
  return { cart: [...cart.map((l) => ({ ...l })), { designId, quantity: clampQuantity(quantity) }], added: true };
}

/** Sets the quantity of a design's line (clamped); other lines are kept. */
export function setQuantity(cart: readonly CartLine[], designId: string, quantity: number): CartLine[] {
  return cart.map((l) => (l.designId === designId ? { designId, quantity: clampQuantity(quantity) } : { ...l }));
}

/** Removes a design's line. */
export function removeFromCart(cart: readonly CartLine[], designId: string): CartLine[] {
  return cart.filter((l) => l.designId !== designId).map((l) => ({ ...l }));
}

/**
 * Reads a stored cart, dropping whatever is not a well-formed line (bad
 * JSON, duplicates, quantities out of range are clamped), so a tampered or
 * old value can never break the page.
 */
export function parseCart(raw: string | null): CartLine[] {
  if (!raw) return [];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  const out: CartLine[] = [];
  for (const item of value) {
    if (typeof item !== "object" || item === null) continue;
    const { designId, quantity } = item as Record<string, unknown>;
    if (typeof designId !== "string" || designId === "" || out.some((l) => l.designId === designId)) continue;
    if (out.length >= MAX_LINES) break;
    out.push({ designId, quantity: clampQuantity(typeof quantity === "number" ? quantity : MIN_QUANTITY) });
  }
  return out;
}
