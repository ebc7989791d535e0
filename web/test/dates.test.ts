import assert from "node:assert/strict";
import { test } from "node:test";

import { addDays, defaultRange, utcDay } from "../lib/dates";

test("days are UTC", () => {
  assert.equal(utcDay(new Date("2026-11-30T23:59:59-05:00")), "2026-12-01");
  assert.equal(addDays("2026-03-01", -1), "2026-02-28");
  assert.equal(addDays("2028-03-01", -1), "2028-02-29");
  assert.equal(addDays("2026-12-31", 1), "2027-01-01");
});

test("the default range is the last 14 days, today included", () => {
  assert.deepEqual(defaultRange(new Date("2026-11-27T10:00:00Z")), { start: "2026-11-14", end: "2026-11-27" });
});
