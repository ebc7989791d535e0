import assert from "node:assert/strict";
import { test } from "node:test";

import { formatBasisPoints, formatCents, formatSignedCents } from "../lib/money";

test("formatCents writes whole cents as dollars exactly", () => {
  const cases: [number, string][] = [
    [0, "$0.00"],
    [5, "$0.05"],
    [99, "$0.99"],
    [100, "$1.00"],
    [3400, "$34.00"],
    [123456, "$1,234.56"],
    [123456789, "$1,234,567.89"],
    [2147483647, "$21,474,836.47"], // the largest int32
    [-400, "\u2212$4.00"],
    [-5, "\u2212$0.05"],
  ];
  for (const [cents, want] of cases) assert.equal(formatCents(cents), want, `formatCents(${cents})`);
});

test("formatCents refuses what is not whole cents", () => {
  for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
    assert.throws(() => formatCents(bad), RangeError, `formatCents(${bad})`);
  }
});

test("formatSignedCents marks additions", () => {
  assert.equal(formatSignedCents(300), "+$3.00");
  assert.equal(formatSignedCents(0), "$0.00");
  assert.equal(formatSignedCents(-200), "\u2212$2.00");
});

test("formatBasisPoints", () => {
  assert.equal(formatBasisPoints(0), "0.00%");
  assert.equal(formatBasisPoints(1234), "12.34%");
  assert.equal(formatBasisPoints(10000), "100.00%");
  assert.equal(formatBasisPoints(5), "0.05%");
});
