import assert from "node:assert/strict";
import { test } from "node:test";

import { forgetIdempotencyKey, idempotencyKey, type KeyStorage } from "../lib/idempotency";

function memory(): KeyStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
    removeItem: (k) => void items.delete(k),
  };
}

test("a retry of the same request reuses its key; another request or a success gets a new one", () => {
  const store = memory();
  const first = idempotencyKey("slot", "design", '{"name":"a"}', store);
  assert.match(first, /^design-[0-9a-f-]{36}$/);
  assert.ok(first.length <= 100);
  assert.equal(idempotencyKey("slot", "design", '{"name":"a"}', store), first, "a retry reuses the key");
  const other = idempotencyKey("slot", "design", '{"name":"b"}', store);
  assert.notEqual(other, first, "another request gets another key");
  forgetIdempotencyKey("slot", store);
  assert.notEqual(idempotencyKey("slot", "design", '{"name":"b"}', store), other, "after a success the same request is a new action");
});

test("slots are apart, and a garbled stored value is replaced", () => {
  const store = memory();
  const a = idempotencyKey("a", "x", "f", store);
  assert.notEqual(idempotencyKey("b", "x", "f", store), a);
  store.setItem("a", "{not json");
  const replaced = idempotencyKey("a", "x", "f", store);
  assert.notEqual(replaced, a);
  assert.equal(idempotencyKey("a", "x", "f", store), replaced);
});
