// The cart: lines of designs and quantities, kept in the browser until an
// order is placed. A line holds either a saved design (its id) or, for a
// design not saved yet (a guest's, from the builder), the design itself in
// the contract's binary encoding (base64url, as the builder's address). Each
// line has an id of its own, made when it is added: it names the line in the
// page and makes the idempotency key of the line's save (CreateDesign), so a
// retry or a second tab saves the design once. Pure functions here; storage
// is in cart-store.ts.

/** One line of the cart. Exactly one of designId and design is set. */
export interface CartLine {
  /** The line's own id (letters, digits, - and _). */
  lineId: string;
  /** A saved design's id. */
  designId?: string;
  /** A design not saved yet: its binary encoding, base64url. */
  design?: string;
  quantity: number;
}

/** Quantity bounds of a line, and the most lines an order may have (spec). */
export const MIN_QUANTITY = 1;
export const MAX_QUANTITY = 10;
export const MAX_LINES = 20;

const LINE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ENCODED = /^[A-Za-z0-9_-]{1,4000}$/;

/** The message for a quantity that is not a whole number from 1 to 10, else "". */
export function quantityError(q: number): string {
  return Number.isInteger(q) && q >= MIN_QUANTITY && q <= MAX_QUANTITY ? "" : `Choose a quantity from ${MIN_QUANTITY} to ${MAX_QUANTITY}.`;
}

/** A quantity typed as text: the number, or NaN when it is not whole digits. */
export function parseQuantity(text: string): number {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
}

/** The idempotency key of saving a line's design (CreateDesign): the same for the line wherever it is saved. */
export function lineSaveKey(line: Pick<CartLine, "lineId">): string {
  return `cart-${line.lineId}`;
}

/** Whether the line holds a design not saved yet. */
export function isUnsaved(line: CartLine): line is CartLine & { design: string } {
  return line.design !== undefined;
}

export type AddResult = { cart: CartLine[]; added: true } | { cart: CartLine[]; added: false; reason: string };

function copy(cart: readonly CartLine[]): CartLine[] {
  return cart.map((l) => ({ ...l }));
}

function add(cart: readonly CartLine[], same: (l: CartLine) => boolean, line: CartLine): AddResult {
  const bad = quantityError(line.quantity);
  if (bad) return { cart: copy(cart), added: false, reason: bad };
  const i = cart.findIndex(same);
  if (i >= 0) {
    const total = cart[i].quantity + line.quantity;
    if (total > MAX_QUANTITY) {
      return {
        cart: copy(cart),
        added: false,
        reason: `Your cart has ${cart[i].quantity} of this design already; an order takes at most ${MAX_QUANTITY} of one design.`,
      };
    }
    const next = copy(cart);
    next[i].quantity = total;
    return { cart: next, added: true };
  }
  if (cart.length >= MAX_LINES) {
    return { cart: copy(cart), added: false, reason: `Your cart is full (${MAX_LINES} designs at most).` };
  }
  return { cart: [...copy(cart), line], added: true };
}

/**
 * Adds a saved design. A design already in the cart gets its quantity
 * raised (an order takes each design in one line only), but never past 10:
 * then, as for a 21st line or a quantity out of range, the cart comes back
 * unchanged with the reason.
 */
export function addSavedToCart(cart: readonly CartLine[], designId: string, quantity: number, lineId: string): AddResult {
  return add(cart, (l) => l.designId === designId, { lineId, designId, quantity });
}

/** Adds a design not saved yet (encoded); the same design again raises its line, as addSavedToCart. */
export function addDesignToCart(cart: readonly CartLine[], design: string, quantity: number, lineId: string): AddResult {
  return add(cart, (l) => l.design === design, { lineId, design, quantity });
}

/** Sets a line's quantity; one out of 1..10 is refused (the cart unchanged) with the message. */
export function setQuantity(cart: readonly CartLine[], lineId: string, quantity: number): { cart: CartLine[]; error: string } {
  const error = quantityError(quantity);
  if (error) return { cart: copy(cart), error };
  return { cart: cart.map((l) => (l.lineId === lineId ? { ...l, quantity } : { ...l })), error: "" };
}

/** Removes a line. */
export function removeLine(cart: readonly CartLine[], lineId: string): CartLine[] {
  return cart.filter((l) => l.lineId !== lineId).map((l) => ({ ...l }));
}

/** Removes the line of a saved design (deleted, say). */
export function removeDesign(cart: readonly CartLine[], designId: string): CartLine[] {
  return cart.filter((l) => l.designId !== designId).map((l) => ({ ...l }));
}

/**
 * The line's design is saved as designId: the line keeps its id and
 * quantity and now names the saved design. Should the cart hold that saved
 * design in another line already, the two become one when the sum fits.
 */
export function markSaved(cart: readonly CartLine[], lineId: string, designId: string): CartLine[] {
  const i = cart.findIndex((l) => l.lineId === lineId);
  if (i < 0) return copy(cart);
  const j = cart.findIndex((l) => l.designId === designId && l.lineId !== lineId);
  if (j >= 0 && cart[i].quantity + cart[j].quantity <= MAX_QUANTITY) {
    const next = copy(cart);
    next[j].quantity += cart[i].quantity;
    return next.filter((_, k) => k !== i);
  }
  return cart.map((l, k) => (k === i ? { lineId: l.lineId, designId, quantity: l.quantity } : { ...l }));
}

/**
 * A guest's cart joined to an account's (at signing in): the account's lines
 * first, then the guest's ones it does not have (by line id), up to 20 lines;
 * a design in both is one line.
 * Returns the cart and how many of the guest's lines did not fit.
 */
export function mergeCarts(account: readonly CartLine[], guest: readonly CartLine[]): { cart: CartLine[]; dropped: number } {
  const cart = copy(account);
  let dropped = 0;
  for (const l of guest) {
    if (cart.some((c) => c.lineId === l.lineId)) continue;
    // The same design in both: one line (an order takes a design once), as much as fits.
    const same = cart.find((c) => (l.designId !== undefined && c.designId === l.designId) || (l.design !== undefined && c.design === l.design));
    if (same) {
      same.quantity = Math.min(MAX_QUANTITY, same.quantity + l.quantity);
      continue;
    }
    if (cart.length >= MAX_LINES) {
      dropped += 1;
      continue;
    }
    cart.push({ ...l });
  }
  return { cart, dropped };
}

/**
 * Reads a stored cart, dropping whatever is not a well-formed line (bad
 * JSON, duplicates, a line with both or neither of a design id and a design;
 * a stored quantity out of range is brought into it), so a tampered or old
 * value can never break the page. A line of the older format (a design id,
 * no line id) gets a line id made from its design id.
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
    const { lineId, designId, design, quantity } = item as Record<string, unknown>;
    const saved = typeof designId === "string" && designId !== "";
    const inline = typeof design === "string" && ENCODED.test(design);
    if (saved === inline) continue;
    if (design !== undefined && !inline) continue;
    const id = typeof lineId === "string" ? lineId : saved ? `d-${designId as string}` : "";
    if (!LINE_ID.test(id) || out.some((l) => l.lineId === id)) continue;
    if (saved && out.some((l) => l.designId === designId)) continue;
    if (out.length >= MAX_LINES) break;
    const q = typeof quantity === "number" && Number.isFinite(quantity) ? Math.min(MAX_QUANTITY, Math.max(MIN_QUANTITY, Math.trunc(quantity))) : MIN_QUANTITY;
    out.push(saved ? { lineId: id, designId: designId as string, quantity: q } : { lineId: id, design: design as string, quantity: q });
  }
  return out;
}
