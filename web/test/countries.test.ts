import assert from "node:assert/strict";
import { test } from "node:test";

import { COUNTRY_CODES, countries, countryName } from "../lib/countries";

test("every ISO 3166-1 alpha-2 code once, each with a name", () => {
  assert.equal(COUNTRY_CODES.length, 249);
  assert.equal(new Set(COUNTRY_CODES).size, 249);
  for (const c of COUNTRY_CODES) {
    assert.match(c, /^[A-Z]{2}$/);
    assert.notEqual(countryName(c), c, `${c} has a name`);
  }
  assert.equal(countryName("US"), "United States");
  const list = countries();
  assert.equal(list.length, 249);
  assert.ok(list.findIndex((x) => x.code === "AF") < list.findIndex((x) => x.code === "ZW"), "sorted by name");
});
