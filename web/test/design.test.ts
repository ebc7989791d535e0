import assert from "node:assert/strict";
import { test } from "node:test";

import { create } from "@harnesshero/client";
import { Color, DesignSchema, Hardware, Material, Size, Style } from "@harnesshero/client/catalog";

import { DEFAULT_FORM, errorsByField, fromDesign, sentence, toDesign, type DesignForm } from "../lib/design";

test("toDesign leaves out what is not chosen", () => {
  const { design, errors } = toDesign(DEFAULT_FORM);
  assert.deepEqual(errors, {});
  assert.deepEqual(design, {
    style: Style.STEP_IN,
    size: Size.M,
    material: Material.NYLON,
    hardware: Hardware.PLASTIC,
    webbingColor: Color.BLACK,
    reflectiveTrim: false,
    backHandle: false,
  });
});

test("a full form round-trips through the contract's Design", () => {
  const form: DesignForm = {
    style: Style.NO_PULL,
    size: Size.L,
    material: Material.LEATHER,
    hardware: Hardware.STAINLESS,
    webbingColor: Color.BROWN,
    trimColor: Color.ORANGE,
    reflectiveTrim: true,
    backHandle: true,
    namePatch: { enabled: true, text: "Biscuit Jr", threadColor: Color.YELLOW },
    leashMm: 1800,
    idTag: { enabled: true, engraving: "Call 555-0100" },
    measurements: { chest: "600", neck: "400" },
  };
  const { design, errors } = toDesign(form);
  assert.deepEqual(errors, {});
  assert.deepEqual(fromDesign(create(DesignSchema, design)), form);
});

test("girths must be whole millimetres, both or neither", () => {
  const base = { ...DEFAULT_FORM };
  const { design, errors } = toDesign({ ...base, measurements: { chest: "55.5", neck: "" } });
  assert.equal(design.measurements, undefined);
  assert.deepEqual(Object.keys(errors).sort(), ["measurements.chestGirthMm", "measurements.neckGirthMm"]);
  const spaced = toDesign({ ...base, measurements: { chest: " 520 ", neck: "360" } });
  assert.deepEqual(spaced.errors, {});
  assert.deepEqual(spaced.design.measurements, { chestGirthMm: 520, neckGirthMm: 360 });
});

test("errorsByField keeps the first message of each field, as a sentence", () => {
  assert.deepEqual(
    errorsByField([
      { path: "hardware", message: "LEATHER needs ALUMINUM or STAINLESS hardware" },
      { path: "hardware", message: "a second rule" },
      { path: "namePatch.text", message: "Use 1 to 12 letters." },
    ]),
    { hardware: "LEATHER needs ALUMINUM or STAINLESS hardware.", "namePatch.text": "Use 1 to 12 letters." },
  );
  assert.equal(sentence("  the trim colour must differ "), "The trim colour must differ.");
  assert.equal(sentence(""), "");
});
