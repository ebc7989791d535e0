import assert from "node:assert/strict";
import { test } from "node:test";

import { Color, Hardware, Material, Size, Style } from "@harnesshero/client/catalog";

import { effectOf, effectsOf, formatDelta, unitPriceCents, type DesignInit } from "../lib/options";
import { formatCents } from "../lib/money";
import { CATALOG } from "./catalog-fixture";

const BASE: DesignInit = { style: Style.STEP_IN, size: Size.M, material: Material.NYLON, hardware: Hardware.PLASTIC, webbingColor: Color.BLACK };

test("unitPriceCents sums the catalog's prices as the spec does", () => {
  assert.equal(unitPriceCents(CATALOG, BASE), 3400);
  // The spec's example parts: no-pull 5200, L +300, leather 2400, stainless 1100, reflective 350,
  // a 10-character patch 700 + 4 × 50, a 1800 mm leash 2200, an ID tag 900.
  const full: DesignInit = {
    style: Style.NO_PULL, size: Size.L, material: Material.LEATHER, hardware: Hardware.STAINLESS, webbingColor: Color.BLACK,
    reflectiveTrim: true, namePatch: { text: "Biscuit Jr", threadColor: Color.YELLOW }, leash: { lengthMm: 1800 }, idTag: { engraving: "Hi" },
  };
  assert.equal(unitPriceCents(CATALOG, full), 5200 + 300 + 2400 + 1100 + 350 + 900 + 2200 + 900);
});

test("effectOf gives the price difference of a choice against the current one", () => {
  assert.equal(effectOf(CATALOG, BASE, { style: Style.VEST }).deltaCents, 1200);
  assert.equal(effectOf(CATALOG, { ...BASE, size: Size.L }, { size: Size.XS }).deltaCents, -700);
  assert.equal(effectOf(CATALOG, BASE, { backHandle: true }).deltaCents, 500);
  assert.equal(effectOf(CATALOG, { ...BASE, leash: { lengthMm: 1200 } }, { leash: { lengthMm: 1800 } }).deltaCents, 400);
  assert.equal(effectOf(CATALOG, BASE, { namePatch: { text: "", threadColor: Color.YELLOW } }).deltaCents, 700);
  assert.deepEqual(effectOf(CATALOG, BASE, { style: Style.STEP_IN }), { deltaCents: 0 });
});

test("effectOf forbids a choice with the catalog rule's words, from the contract's rules", () => {
  // Rule 1: leather with plastic hardware.
  assert.equal(effectOf(CATALOG, BASE, { material: Material.LEATHER }).forbiddenBy, "Leather needs aluminum or stainless steel hardware.");
  const leather = { ...BASE, material: Material.LEATHER, hardware: Hardware.STAINLESS };
  assert.equal(effectOf(CATALOG, leather, { hardware: Hardware.PLASTIC }).forbiddenBy, "Leather needs aluminum or stainless steel hardware.");
  assert.equal(effectOf(CATALOG, leather, { hardware: Hardware.ALUMINUM }).forbiddenBy, undefined);
  // Rules 2 and 5: XS.
  assert.equal(effectOf(CATALOG, leather, { size: Size.XS }).forbiddenBy, "Leather is not made in size XS.");
  assert.equal(effectOf(CATALOG, { ...BASE, size: Size.XS }, { backHandle: true }).forbiddenBy, "A back handle is not made in size XS.");
  // Rule 6: the trim colour against the webbing, both ways.
  assert.equal(effectOf(CATALOG, BASE, { trimColor: Color.BLACK }).forbiddenBy, "The trim colour must differ from the webbing colour.");
  assert.equal(effectOf(CATALOG, { ...BASE, trimColor: Color.RED }, { webbingColor: Color.RED }).forbiddenBy, "The trim colour must differ from the webbing colour.");
  // A rule the catalog does not list (leather and the vest style, here) is not used.
  assert.equal(effectOf(CATALOG, leather, { style: Style.VEST }).forbiddenBy, undefined);
  // Text being typed is not a rule against other choices.
  assert.equal(effectOf(CATALOG, { ...BASE, namePatch: { text: "", threadColor: Color.RED } }, { style: Style.VEST }).forbiddenBy, undefined);
});

test("formatDelta signs a difference and leaves none out", () => {
  assert.equal(formatDelta(800, formatCents), "+$8.00");
  assert.equal(formatDelta(-400, formatCents), "\u2212$4.00");
  assert.equal(formatDelta(0, formatCents), "");
});

test("effectsOf tells apart changes that remove different add-ons", () => {
  const all: DesignInit = { ...BASE, leash: { lengthMm: 1800 }, idTag: { engraving: "Hi" }, namePatch: { text: "Rex", threadColor: Color.YELLOW } };
  const effect = effectsOf(CATALOG, all);
  assert.equal(effect({ leash: undefined }).deltaCents, -2200);
  assert.equal(effect({ idTag: undefined }).deltaCents, -900);
  assert.equal(effect({ namePatch: undefined }).deltaCents, -700);
  assert.equal(effect({ leash: undefined }), effect({ leash: undefined }), "remembered");
});
