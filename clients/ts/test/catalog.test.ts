// CatalogService against a live server: the catalog, quotes to the cent,
// cart shipping, size advice and the refusal of invalid designs.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  Color,
  Hardware,
  Material,
  QuoteRequestSchema,
  Size,
  Style,
  validate,
  type LineQuote,
} from "@harnesshero/client/all";

import {
  basicDesign,
  brokenDesign,
  connect,
  expectViolations,
  fieldsOf,
  loadedDesign,
} from "./support.js";

const harness = connect();

/** The parts of a quote as [code, amount] pairs, in order. */
function partsOf(quote: LineQuote | undefined): [string, number][] {
  assert.ok(quote, "quote is missing");
  return quote.parts.map((p) => [p.code, p.amountCents]);
}

describe("GetCatalog", () => {
  test("lists the four styles with their base prices", async () => {
    const { catalog } = await harness.catalog.getCatalog({});
    assert.ok(catalog);
    assert.deepEqual(
      catalog.styles.map((s) => [s.style, s.basePriceCents]),
      [
        [Style.STEP_IN, 3400],
        [Style.OVERHEAD, 3800],
        [Style.VEST, 4600],
        [Style.NO_PULL, 5200],
      ],
    );
    for (const s of catalog.styles) {
      assert.notEqual(s.label, "", `style ${Style[s.style]} has no label`);
    }
  });

  test("lists the six sizes with the spec's girth ranges and adjustments", async () => {
    const { catalog } = await harness.catalog.getCatalog({});
    assert.ok(catalog);
    assert.deepEqual(
      catalog.sizes.map((s) => ({
        size: s.size,
        chest: [s.chestMinMm, s.chestMaxMm],
        neck: [s.neckMinMm, s.neckMaxMm],
        adjustment: s.priceAdjustmentCents,
      })),
      [
        { size: Size.XS, chest: [250, 350], neck: [180, 260], adjustment: -400 },
        { size: Size.S, chest: [330, 450], neck: [240, 340], adjustment: -200 },
        { size: Size.M, chest: [430, 580], neck: [300, 420], adjustment: 0 },
        { size: Size.L, chest: [560, 740], neck: [380, 520], adjustment: 300 },
        { size: Size.XL, chest: [710, 900], neck: [480, 620], adjustment: 600 },
        { size: Size.XXL, chest: [860, 1100], neck: [580, 750], adjustment: 900 },
      ],
    );
  });

  test("carries the option prices and order rules of the spec", async () => {
    const { catalog } = await harness.catalog.getCatalog({});
    assert.ok(catalog?.options && catalog.pricing);
    const o = catalog.options;
    assert.deepEqual(
      [o.reflectiveTrimCents, o.backHandleCents, o.namePatchBaseCents, o.namePatchIncludedChars,
        o.namePatchExtraCharCents, o.namePatchMaxChars, o.idTagCents, o.idTagMaxChars],
      [350, 500, 700, 6, 50, 12, 900, 20],
    );
    assert.deepEqual(catalog.leashes.map((l) => [l.lengthMm, l.priceCents]), [[1200, 1800], [1800, 2200]]);
    assert.deepEqual(
      catalog.materials.map((m) => [m.material, m.priceCents]),
      [[Material.NYLON, 0], [Material.PADDED_MESH, 800], [Material.LEATHER, 2400]],
    );
    assert.deepEqual(
      catalog.hardware.map((h) => [h.hardware, h.priceCents]),
      [[Hardware.PLASTIC, 0], [Hardware.ALUMINUM, 600], [Hardware.STAINLESS, 1100]],
    );
    const p = catalog.pricing;
    assert.equal(p.shippingCents, 599);
    assert.equal(p.freeShippingThresholdCents, 7500);
    assert.equal(p.discountMinQuantity, 3);
    assert.equal(p.discountPercent, 10);
    assert.equal(catalog.colors.length, 11);
  });
});

describe("Quote", () => {
  test("prices the loaded design at quantity 3 to the cent, itemised", async () => {
    // 5200 + 300 + 2400 + 1100 + 350 + 500 + (700 + 4*50) + 2200 + 900 = 13850
    const { quote } = await harness.catalog.quote({ design: loadedDesign(), quantity: 3 });
    assert.ok(quote);
    assert.deepEqual(partsOf(quote), [
      ["style", 5200],
      ["size", 300],
      ["material", 2400],
      ["hardware", 1100],
      ["reflective_trim", 350],
      ["back_handle", 500],
      ["name_patch", 900],
      ["leash", 2200],
      ["id_tag", 900],
    ]);
    for (const part of quote.parts) {
      assert.notEqual(part.label, "", `part ${part.code} has no label`);
    }
    assert.equal(quote.unitPriceCents, 13850);
    assert.equal(quote.quantity, 3);
    assert.equal(quote.subtotalCents, 41550);
    assert.equal(quote.discountCents, 4155);
    assert.equal(quote.totalCents, 37395);
  });

  test("gives no discount below 3 pieces", async () => {
    const { quote } = await harness.catalog.quote({ design: loadedDesign(), quantity: 2 });
    assert.ok(quote);
    assert.equal(quote.unitPriceCents, 13850);
    assert.equal(quote.subtotalCents, 27700);
    assert.equal(quote.discountCents, 0);
    assert.equal(quote.totalCents, 27700);
  });

  test("applies a negative size adjustment and the per-character patch price", async () => {
    // STEP_IN 3400, XS -400, PADDED_MESH 800, ALUMINUM 600,
    // patch "Rex" (3 chars) 700, leash 1200 1800 = 6900; x10 = 69000 - 6900.
    const { quote } = await harness.catalog.quote({
      design: basicDesign({
        size: Size.XS,
        material: Material.PADDED_MESH,
        hardware: Hardware.ALUMINUM,
        namePatch: { text: "Rex", threadColor: Color.BLACK },
        leash: { lengthMm: 1200 },
      }),
      quantity: 10,
    });
    assert.ok(quote);
    assert.deepEqual(partsOf(quote), [
      ["style", 3400],
      ["size", -400],
      ["material", 800],
      ["hardware", 600],
      ["name_patch", 700],
      ["leash", 1800],
    ]);
    assert.equal(quote.unitPriceCents, 6900);
    assert.equal(quote.subtotalCents, 69000);
    assert.equal(quote.discountCents, 6900);
    assert.equal(quote.totalCents, 62100);
  });

  test("charges a 12-character name patch 700 + 6*50", async () => {
    const { quote } = await harness.catalog.quote({
      design: basicDesign({ namePatch: { text: "Sir Barksalo", threadColor: Color.BLACK } }),
      quantity: 1,
    });
    assert.ok(quote);
    assert.deepEqual(partsOf(quote).find(([code]) => code === "name_patch"), ["name_patch", 1000]);
    assert.equal(quote.unitPriceCents, 3400 + 1000);
  });

  test("refuses the broken design, naming every broken rule's field", async () => {
    const violations = await expectViolations(
      harness.catalog.quote({ design: brokenDesign(), quantity: 1 }),
    );
    assert.deepEqual(fieldsOf(violations), [
      "design.backHandle",
      "design.hardware",
      "design.size",
      "design.style",
      "design.webbingColor",
    ]);
    assert.deepEqual(
      violations.map((v) => v.ruleId).sort(),
      [
        "back_handle.back_handle_size",
        "hardware.leather_hardware",
        "size.leather_size",
        "style.leather_style",
        "webbing_color.leather_webbing_color",
      ],
    );
    for (const v of violations) {
      assert.notEqual(v.message, "", `violation of ${v.ruleId} has no message`);
    }
  });

  test("client-side validation of the request finds what the server finds", async () => {
    const request = { design: brokenDesign(), quantity: 1 };
    const local = validate(QuoteRequestSchema, request);
    const remote = await expectViolations(harness.catalog.quote(request));
    assert.equal(local.valid, false);
    const key = (v: { path: string; ruleId: string }) => `${v.path} ${v.ruleId}`;
    assert.deepEqual(local.violations.map(key).sort(), remote.map(key).sort());
  });

  test("refuses a quantity outside 1 to 10", async () => {
    for (const quantity of [0, 11]) {
      const violations = await expectViolations(harness.catalog.quote({ design: basicDesign(), quantity }));
      assert.deepEqual(fieldsOf(violations), ["quantity"]);
    }
  });

  test("refuses a size that does not fit the measurements, naming the size", async () => {
    const violations = await expectViolations(
      harness.catalog.quote({
        design: basicDesign({ size: Size.M, measurements: { chestGirthMm: 600, neckGirthMm: 400 } }),
        quantity: 1,
      }),
    );
    assert.deepEqual(fieldsOf(violations), ["design.size"]);
    assert.equal(violations[0]?.ruleId, "size.size_fit");
    assert.match(violations[0]?.message ?? "", /\bL\b/, "the message names the recommended size L");
  });

  test("accepts a size that fits the measurements", async () => {
    const { quote } = await harness.catalog.quote({
      design: basicDesign({ size: Size.L, measurements: { chestGirthMm: 600, neckGirthMm: 400 } }),
      quantity: 1,
    });
    assert.equal(quote?.unitPriceCents, 3700);
  });
});

describe("QuoteCart", () => {
  test("charges 599 shipping below 7500", async () => {
    const res = await harness.catalog.quoteCart({
      lines: [
        { design: basicDesign({ reflectiveTrim: true }), quantity: 1 }, // 3750
        { design: basicDesign({ size: Size.L }), quantity: 1 }, // 3700
      ],
    });
    assert.deepEqual(res.lines.map((l) => l.totalCents), [3750, 3700]);
    assert.equal(res.subtotalCents, 7450);
    assert.equal(res.shippingCents, 599);
    assert.equal(res.totalCents, 8049);
  });

  test("ships free at exactly 7500", async () => {
    const res = await harness.catalog.quoteCart({
      lines: [{ design: basicDesign({ reflectiveTrim: true }), quantity: 2 }], // 2 x 3750
    });
    assert.equal(res.subtotalCents, 7500);
    assert.equal(res.shippingCents, 0);
    assert.equal(res.totalCents, 7500);
  });

  test("sums line totals after each line's discount", async () => {
    const res = await harness.catalog.quoteCart({
      lines: [
        { design: loadedDesign(), quantity: 3 }, // 37395
        { design: basicDesign(), quantity: 1 }, // 3400
      ],
    });
    assert.deepEqual(
      res.lines.map((l) => [l.unitPriceCents, l.quantity, l.discountCents, l.totalCents]),
      [[13850, 3, 4155, 37395], [3400, 1, 0, 3400]],
    );
    assert.equal(res.subtotalCents, 40795);
    assert.equal(res.shippingCents, 0);
    assert.equal(res.totalCents, 40795);
  });

  test("names the broken line by its index", async () => {
    const violations = await expectViolations(
      harness.catalog.quoteCart({
        lines: [
          { design: basicDesign(), quantity: 1 },
          { design: basicDesign({ size: Size.XS, backHandle: true }), quantity: 11 },
        ],
      }),
    );
    assert.deepEqual(fieldsOf(violations), ["lines[1].design.backHandle", "lines[1].quantity"]);
  });

  test("refuses an empty cart", async () => {
    const violations = await expectViolations(harness.catalog.quoteCart({ lines: [] }));
    assert.deepEqual(fieldsOf(violations), ["lines"]);
  });
});

describe("RecommendSize", () => {
  test("recommends the one size that fits", async () => {
    const res = await harness.catalog.recommendSize({ measurements: { chestGirthMm: 600, neckGirthMm: 400 } });
    assert.equal(res.fits, true);
    assert.equal(res.size, Size.L);
    assert.deepEqual(res.fittingSizes, [Size.L]);
    assert.deepEqual(res.chestSizes, [Size.L]);
    assert.deepEqual(res.neckSizes, [Size.M, Size.L]);
    assert.equal(res.reason, "");
  });

  test("breaks a tie of chest midpoints towards the larger size", async () => {
    // XS chest midpoint 300, S 390: 345 is 45 from both.
    const res = await harness.catalog.recommendSize({ measurements: { chestGirthMm: 345, neckGirthMm: 250 } });
    assert.equal(res.fits, true);
    assert.deepEqual(res.fittingSizes, [Size.XS, Size.S]);
    assert.equal(res.size, Size.S);
  });

  test("picks the size whose chest midpoint is nearest", async () => {
    // XS and S fit; 340 is 40 from XS's midpoint 300 and 50 from S's 390.
    const res = await harness.catalog.recommendSize({ measurements: { chestGirthMm: 340, neckGirthMm: 250 } });
    assert.deepEqual(res.fittingSizes, [Size.XS, Size.S]);
    assert.equal(res.size, Size.XS);
  });

  test("says so, and why, when no size fits both girths", async () => {
    const res = await harness.catalog.recommendSize({ measurements: { chestGirthMm: 300, neckGirthMm: 700 } });
    assert.equal(res.fits, false);
    assert.equal(res.size, Size.UNSPECIFIED);
    assert.deepEqual(res.fittingSizes, []);
    assert.deepEqual(res.chestSizes, [Size.XS]);
    assert.deepEqual(res.neckSizes, [Size.XXL]);
    assert.notEqual(res.reason, "");
  });

  test("names the girth that is outside every range", async () => {
    const res = await harness.catalog.recommendSize({ measurements: { chestGirthMm: 1200, neckGirthMm: 700 } });
    assert.equal(res.fits, false);
    assert.equal(res.size, Size.UNSPECIFIED);
    assert.deepEqual(res.chestSizes, []);
    assert.match(res.reason, /chest/i);
  });

  test("refuses girths outside 100 to 1500 mm", async () => {
    const violations = await expectViolations(
      harness.catalog.recommendSize({ measurements: { chestGirthMm: 50, neckGirthMm: 1600 } }),
    );
    assert.deepEqual(fieldsOf(violations), ["measurements.chestGirthMm", "measurements.neckGirthMm"]);
  });
});
