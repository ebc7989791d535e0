import assert from "node:assert/strict";
import { test } from "node:test";

import {
  addDesignToCart,
  addSavedToCart,
  lineSaveKey,
  markSaved,
  MAX_LINES,
  mergeCarts,
  parseCart,
  parseQuantity,
  quantityError,
  removeDesign,
  removeLine,
  setQuantity,
  type CartLine,
} from "../lib/cart";

test("addSavedToCart adds a design once and raises its quantity after, never past 10", () => {
  let r = addSavedToCart([], "a", 2, "l1");
  assert.ok(r.added);
  r = addSavedToCart(r.cart, "b", 1, "l2");
  r = addSavedToCart(r.cart, "a", 3, "l3");
  assert.ok(r.added);
  assert.deepEqual(r.cart, [
    { lineId: "l1", designId: "a", quantity: 5 },
    { lineId: "l2", designId: "b", quantity: 1 },
  ]);
  const over = addSavedToCart(r.cart, "a", 6, "l4");
  assert.equal(over.added, false);
  assert.match(!over.added ? over.reason : "", /has 5 of this design already; an order takes at most 10/);
  assert.deepEqual(over.cart, r.cart, "refused, not clamped");
  const bad = addSavedToCart(r.cart, "c", 11, "l5");
  assert.equal(bad.added, false);
  assert.equal(!bad.added ? bad.reason : "", "Choose a quantity from 1 to 10.");
  assert.equal(addSavedToCart(r.cart, "c", Number.NaN, "l6").added, false);
});

test("addDesignToCart keeps the design itself; the same design again raises its line", () => {
  let r = addDesignToCart([], "ENCODED_a", 2, "g1");
  r = addDesignToCart(r.cart, "ENCODED_a", 1, "g2");
  r = addDesignToCart(r.cart, "ENCODED_b", 10, "g3");
  assert.deepEqual(r.cart, [
    { lineId: "g1", design: "ENCODED_a", quantity: 3 },
    { lineId: "g3", design: "ENCODED_b", quantity: 10 },
  ]);
  assert.equal(addDesignToCart(r.cart, "ENCODED_b", 1, "g4").added, false);
});

test("a 21st line is refused and the cart stays as it was", () => {
  const full: CartLine[] = Array.from({ length: MAX_LINES }, (_, i) => ({ lineId: `l${i}`, designId: `d${i}`, quantity: 1 }));
  const r = addSavedToCart(full, "one-more", 1, "x");
  assert.equal(r.added, false);
  assert.equal(!r.added ? r.reason : "", "Your cart is full (20 designs at most).");
  assert.deepEqual(r.cart, full);
  assert.notEqual(r.cart, full, "a copy, never the caller's array");
  assert.equal(addSavedToCart(full, "d3", 1, "y").added, true, "a design already there can still grow");
  assert.equal(addDesignToCart(full, "E", 1, "z").added, false);
});

test("setQuantity refuses a quantity out of 1..10 with a message and changes nothing", () => {
  const cart: CartLine[] = [
    { lineId: "a", designId: "A", quantity: 1 },
    { lineId: "b", design: "B", quantity: 4 },
  ];
  for (const q of [0, 11, -3, 2.5, Number.NaN]) {
    const r = setQuantity(cart, "b", q);
    assert.equal(r.error, "Choose a quantity from 1 to 10.", String(q));
    assert.deepEqual(r.cart, cart);
  }
  const ok = setQuantity(cart, "b", 10);
  assert.equal(ok.error, "");
  assert.deepEqual(ok.cart[1], { lineId: "b", design: "B", quantity: 10 });
  assert.equal(cart[1].quantity, 4, "the input is not changed");
  assert.deepEqual(removeLine(cart, "a"), [{ lineId: "b", design: "B", quantity: 4 }]);
  assert.deepEqual(removeDesign(cart, "A"), [{ lineId: "b", design: "B", quantity: 4 }]);
});

test("parseQuantity and quantityError", () => {
  assert.equal(parseQuantity("7"), 7);
  assert.ok(Number.isNaN(parseQuantity("")));
  assert.ok(Number.isNaN(parseQuantity("1e1")));
  assert.ok(Number.isNaN(parseQuantity("-1")));
  assert.equal(quantityError(1), "");
  assert.equal(quantityError(10), "");
  assert.notEqual(quantityError(11), "");
});

test("markSaved turns a line's design into its saved id, keeping the line", () => {
  const cart: CartLine[] = [
    { lineId: "a", design: "X", quantity: 2 },
    { lineId: "b", designId: "B", quantity: 1 },
  ];
  assert.deepEqual(markSaved(cart, "a", "S"), [
    { lineId: "a", designId: "S", quantity: 2 },
    { lineId: "b", designId: "B", quantity: 1 },
  ]);
  assert.deepEqual(markSaved(markSaved(cart, "a", "S"), "a", "S"), markSaved(cart, "a", "S"), "twice (two tabs) is once");
  assert.deepEqual(markSaved(cart, "a", "B"), [{ lineId: "b", designId: "B", quantity: 3 }], "the same saved design joins its line");
  assert.deepEqual(markSaved(cart, "gone", "S"), cart);
  assert.equal(lineSaveKey({ lineId: "a" }), "cart-a");
  assert.match(lineSaveKey({ lineId: "0b7c4a7e-1f61-4f0e-9a59-0d0f7e2c3a11" }), /^[A-Za-z0-9._:-]{1,100}$/);
});

test("mergeCarts puts the guest's lines after the account's, once, up to 20", () => {
  const account: CartLine[] = [{ lineId: "a", designId: "A", quantity: 1 }];
  const guest: CartLine[] = [
    { lineId: "g", design: "G", quantity: 2 },
    { lineId: "a", designId: "A", quantity: 1 },
    { lineId: "a2", designId: "A", quantity: 4 },
  ];
  assert.deepEqual(mergeCarts(account, guest), {
    cart: [
      { lineId: "a", designId: "A", quantity: 5 },
      { lineId: "g", design: "G", quantity: 2 },
    ],
    dropped: 0,
  });
  const full = Array.from({ length: MAX_LINES }, (_, i) => ({ lineId: `l${i}`, designId: `d${i}`, quantity: 1 }));
  assert.equal(mergeCarts(full, guest).dropped, 3);
});

test("parseCart keeps only well-formed lines", () => {
  assert.deepEqual(parseCart(null), []);
  assert.deepEqual(parseCart("not json"), []);
  assert.deepEqual(parseCart('{"designId":"a"}'), []);
  assert.deepEqual(
    parseCart(
      JSON.stringify([
        { lineId: "l1", designId: "a", quantity: 99 },
        { lineId: "l2", designId: "a", quantity: 1 },
        { quantity: 2 },
        null,
        { designId: "b" },
        { lineId: "l3", design: "QUJD", quantity: 3 },
        { lineId: "l4", design: "not base64!", quantity: 1 },
        { lineId: "l5", design: "QUJD", designId: "c", quantity: 1 },
        { lineId: "bad id", designId: "e", quantity: 1 },
      ]),
    ),
    [
      { lineId: "l1", designId: "a", quantity: 10 },
      { lineId: "d-b", designId: "b", quantity: 1 },
      { lineId: "l3", design: "QUJD", quantity: 3 },
    ],
  );
  const many = Array.from({ length: 30 }, (_, i) => ({ lineId: `l${i}`, designId: `d${i}`, quantity: 1 }));
  assert.equal(parseCart(JSON.stringify(many)).length, MAX_LINES);
});
