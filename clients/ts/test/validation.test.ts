// Client-side validation with the contract's rules: no server involved
// (the fetch stub proves it), except in the parity test at the end.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  CartLineSchema,
  Color,
  CreateDesignRequestSchema,
  QuoteCartRequestSchema,
  RegisterRequestSchema,
  Size,
  validate,
  validateDesign,
  type FieldViolation,
} from "@harnesshero/client/all";

import { basicDesign, brokenDesign, connect, expectViolations, fieldsOf, loadedDesign } from "./support.js";

describe("validateDesign (offline)", () => {
  const realFetch = globalThis.fetch;
  before(() => {
    globalThis.fetch = () => {
      throw new Error("validateDesign must not use the network");
    };
  });
  after(() => {
    globalThis.fetch = realFetch;
  });

  test("accepts valid designs", () => {
    assert.deepEqual(validateDesign(basicDesign()), { valid: true, violations: [] });
    assert.deepEqual(validateDesign(loadedDesign()), { valid: true, violations: [] });
  });

  test("reports every broken cross-field rule on its field", () => {
    const res = validateDesign(brokenDesign());
    assert.equal(res.valid, false);
    assert.deepEqual(fieldsOf(res.violations), ["backHandle", "hardware", "size", "style", "webbingColor"]);
    const byField = new Map(res.violations.map((v) => [v.path, v]));
    assert.equal(byField.get("hardware")?.ruleId, "hardware.leather_hardware");
    assert.equal(byField.get("hardware")?.message, "Leather needs aluminum or stainless steel hardware");
    assert.equal(byField.get("backHandle")?.ruleId, "back_handle.back_handle_size");
  });

  test("anchors nested rule ids on the nested field", () => {
    const res = validateDesign(
      basicDesign({
        webbingColor: Color.NAVY,
        trimColor: Color.NAVY,
        namePatch: { text: "Rex", threadColor: Color.NAVY },
      }),
    );
    assert.deepEqual(
      res.violations.map((v) => [v.path, v.ruleId]).sort(),
      [
        ["namePatch.threadColor", "name_patch.thread_color.thread_color_distinct"],
        ["trimColor", "trim_color.trim_color_distinct"],
      ],
    );
  });

  test("requires every enum to be set", () => {
    const res = validateDesign({});
    assert.deepEqual(fieldsOf(res.violations), ["hardware", "material", "size", "style", "webbingColor"]);
    assert.ok(res.violations.every((v) => v.ruleId === "required"));
  });

  const patchCases: [text: string, valid: boolean][] = [
    ["O'Neil-2", true],
    ["Rex", true],
    ["Biscuit Jr", true],
    ["Abcdefghijkl", true], // 12 characters
    ["A", true],
    ["  Rex", false], // leading spaces
    ["Rex ", false], // trailing space
    ["Rex  Jr", false], // two spaces in a row
    ["Rex!!", false], // outside the alphabet
    ["Zoë", false], // outside the alphabet
    ["Abcdefghijklm", false], // 13 characters
    ["", false],
  ];

  for (const [text, valid] of patchCases) {
    test(`name patch ${JSON.stringify(text)} is ${valid ? "valid" : "invalid"}`, () => {
      const res = validateDesign(basicDesign({ namePatch: { text, threadColor: Color.BLACK } }));
      assert.equal(res.valid, valid, JSON.stringify(res.violations));
      if (!valid) {
        assert.deepEqual(fieldsOf(res.violations), ["namePatch.text"]);
      }
    });
  }

  test("a 13-character name patch breaks max_len", () => {
    const res = validateDesign(basicDesign({ namePatch: { text: "Abcdefghijklm", threadColor: Color.BLACK } }));
    assert.deepEqual(res.violations.map((v) => v.ruleId), ["string.max_len"]);
  });

  test("ID tag engraving: 1 to 20 characters of the same alphabet", () => {
    const ok = validateDesign(basicDesign({ idTag: { engraving: "Call 555 0100 Biscui" } })); // 20
    assert.equal(ok.valid, true, JSON.stringify(ok.violations));
    for (const engraving of ["Call 555 0100 Biscuit", "", "Rex!", " Rex"]) {
      const res = validateDesign(basicDesign({ idTag: { engraving } }));
      assert.deepEqual(fieldsOf(res.violations), ["idTag.engraving"], engraving);
    }
  });

  test("leash length is 1200 or 1800, girths 100 to 1500", () => {
    assert.deepEqual(
      fieldsOf(validateDesign(basicDesign({ leash: { lengthMm: 1500 } })).violations),
      ["leash.lengthMm"],
    );
    assert.deepEqual(
      fieldsOf(validateDesign(basicDesign({ measurements: { chestGirthMm: 99, neckGirthMm: 1501 } })).violations),
      ["measurements.chestGirthMm", "measurements.neckGirthMm"],
    );
  });

  test("does not check the size fit (rule 10 is the server's)", () => {
    const res = validateDesign(basicDesign({ size: Size.XS, measurements: { chestGirthMm: 600, neckGirthMm: 400 } }));
    assert.equal(res.valid, true);
  });

  test("validate() paths are relative to the message validated", () => {
    const line = validate(CartLineSchema, { design: brokenDesign(), quantity: 1 });
    assert.deepEqual(fieldsOf(line.violations), [
      "design.backHandle",
      "design.hardware",
      "design.size",
      "design.style",
      "design.webbingColor",
    ]);
    const cart = validate(QuoteCartRequestSchema, {
      lines: [
        { design: basicDesign(), quantity: 1 },
        { design: basicDesign({ size: Size.XS, backHandle: true }), quantity: 0 },
      ],
    });
    assert.deepEqual(fieldsOf(cart.violations), ["lines[1].design.backHandle", "lines[1].quantity"]);
  });

  test("refuses the NUL character in free text (the shared no_nul rule)", () => {
    const reg = validate(RegisterRequestSchema, {
      email: "rex@example.com",
      password: "correct horse battery",
      displayName: "Rex\u0000",
    });
    assert.deepEqual(
      reg.violations.map((v) => [v.path, v.ruleId]),
      [["displayName", "string.no_nul"]],
    );
    const design = validate(CreateDesignRequestSchema, { name: "\u0000", design: basicDesign() });
    assert.deepEqual(fieldsOf(design.violations), ["name"]);
  });
});

describe("client and server agree on the name patch rules", () => {
  const harness = connect();
  for (const text of ["O'Neil-2", "Abcdefghijkl", "  Rex", "Rex!!", "Rex  Jr", "Abcdefghijklm", "Zoë"]) {
    test(JSON.stringify(text), async () => {
      const design = basicDesign({ namePatch: { text, threadColor: Color.BLACK } });
      const local = validateDesign(design);
      let remote: FieldViolation[] = [];
      if (local.valid) {
        await harness.catalog.quote({ design, quantity: 1 });
      } else {
        remote = await expectViolations(harness.catalog.quote({ design, quantity: 1 }));
      }
      assert.deepEqual(
        remote.map((v) => [v.path, v.ruleId]).sort(),
        local.violations.map((v) => ["design." + v.path, v.ruleId]).sort(),
      );
    });
  }
});
