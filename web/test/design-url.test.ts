import assert from "node:assert/strict";
import { test } from "node:test";

import { Color, Hardware, Material, Size, Style } from "@harnesshero/client/catalog";

import { DEFAULT_FORM, toDesign, type DesignForm } from "../lib/design";
import { builderSearch, decodeDesign, encodeDesign } from "../lib/design-url";

test("a design round-trips through the address", () => {
  const form: DesignForm = {
    ...DEFAULT_FORM,
    style: Style.VEST,
    size: Size.XL,
    material: Material.PADDED_MESH,
    hardware: Hardware.ALUMINUM,
    webbingColor: Color.TEAL,
    trimColor: Color.ORANGE,
    backHandle: true,
    namePatch: { enabled: true, text: "", threadColor: Color.PINK }, // ticked, nothing typed yet
    leashMm: 1200,
    measurements: { chest: "750", neck: "500" },
  };
  const d = encodeDesign(toDesign(form).design);
  assert.match(d, /^[A-Za-z0-9_-]+$/, "URL-safe");
  assert.deepEqual(decodeDesign(d), form);
  const search = new URLSearchParams(builderSearch("abc", toDesign(form).design, "3"));
  assert.equal(search.get("design"), "abc");
  assert.equal(search.get("q"), "3");
  assert.deepEqual(decodeDesign(search.get("d")!), form);
});

test("what is not a design decodes to nothing", () => {
  assert.equal(decodeDesign("not a design!"), undefined);
  assert.equal(decodeDesign("AAAA"), undefined);
  assert.equal(decodeDesign(""), undefined, "no enum set");
});
