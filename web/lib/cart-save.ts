// Saving the cart's unsaved designs once the shopper has an account: each
// with CreateDesign under an idempotency key made from its line's id, so a
// retry after a lost answer, or another tab saving the same cart at the same
// time, gets the design saved the first time instead of a second one; then
// the line names the saved design (same line id, same quantity).

import type { Client } from "@connectrpc/connect";

import { isUnsaved, lineSaveKey, markSaved } from "./cart";
import { getCart, updateCart } from "./cart-store";
import { decodeDesignMessage } from "./design-url";
import type { DesignService } from "./harness";
import { getSession } from "./session";

/** Saves, one by one, the unsaved designs of the signed-in user's cart. Throws on the first failure. */
export async function saveCartDesigns(designs: Client<typeof DesignService>, userId: string): Promise<void> {
  for (const line of getCart().filter(isUnsaved)) {
    const design = decodeDesignMessage(line.design);
    if (!design) throw new Error("a design in your cart cannot be read; remove it and try again");
    const res = await designs.createDesign({ name: "", design, idempotencyKey: lineSaveKey(line) });
    // Signed out (or another user) meanwhile: the cart in sight is not this user's.
    if (getSession()?.user.id !== userId) return;
    updateCart((cart) => markSaved(cart, line.lineId, res.design!.id));
  }
}
