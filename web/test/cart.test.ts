import assert from "node:assert/strict";
import { test } from "node:test";

import { addToCart, clampQuantity, MAX_LINES, parseCart, removeFromCart, setQuantity, type CartLine } from "../lib/cart";

test("addToCart adds a design once and raises its quantity after", () => {
  let { cart, added } = addToCart([], "a", 2);
  assert.ok(added);
  ({ cart, added } = addToCart(cart, "b"));
  ({ cart, added } = addToCart(cart, "a", 3));
  assert.ok(added);
  assert.deepEqual(cart, [
    { designId: "a", quantity: 5 },
    { designId: "b", quantity: 1 },
  ]);
  ({ cart } = addToCart(cart, "a", 9));
  assert.equal(cart[0].quantity, 10, "clamped at the spec's 10");
});

test("addToCart refuses a 21st design and leaves the cart as it was", () => {
  const full: CartLine[] = Array.from({ length: MAX_LINES }, (_, i) => ({ designId: `d${i}`, quantity: 1 }));
  const { cart, added } = addToCart(full, "one-more");
  assert.equal(added, false);
  assert.deepEqual(cart, full);
  assert.notEqual(cart, full, "a copy, never the caller's array");
  assert.equal(addToCart(full, "d3").added, true, "a design already there can still grow");
});

test("setQuantity and removeFromCart touch one line only", () => {
  const cart: CartLine[] = [
    { designId: "a", quantity: 1 },
    { designId: "b", quantity: 4 },
  ];
  assert.deepEqual(setQuantity(cart, "b", 0), [
    { designId: "a", quantity: 1 },
    { designId: "b", quantity: 1 },
  ]);
  assert.deepEqual(setQuantity(cart, "a", 42)[0], { designId: "a", quantity: 10 });
  assert.deepEqual(removeFromCart(cart, "a"), [{ designId: "b", quantity: 4 }]);
  assert.equal(cart.length, 2, "the input is not changed");
});

test("clampQuantity", () => {
  assert.equal(clampQuantity(Number.NaN), 1);
  assert.equal(clampQuantity(2.9), 2);
  assert.equal(clampQuantity(-3), 1);
  assert.equal(clampQuantity(11), 10);
});

test("parseCart keeps only well-formed lines", () => {
  assert.deepEqual(parseCart(null), []);
  assert.deepEqual(parseCart("not json"), []);
  assert.deepEqual(parseCart('{"designId":"a"}'), []);
  assert.deepEqual(
    parseCart(JSON.stringify([{ designId: "a", quantity: 99 }, { designId: "a", quantity: 1 }, { quantity: 2 }, null, { designId: "b" }])),
    [
      { designId: "a", quantity: 10 },
      { designId: "b", quantity: 1 },
    ],
  );
  const many = Array.from({ length: 30 }, (_, i) => ({ designId: `d${i}`, quantity: 1 }));
  assert.equal(parseCart(JSON.stringify(many)).length, MAX_LINES);
});
