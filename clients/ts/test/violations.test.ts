// One shape for broken rules, from the page and from the server: camelCase
// paths relative to the message validated, the rule id, the contract's
// message. Live: the server's errors are compared with validate()'s.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Code, ConnectError, createTransport, fieldErrors, violationsOf, type FieldViolation } from "@harnesshero/client";
import { Color, DesignSchema, Hardware, Material, Size, Style, createCatalogClient } from "@harnesshero/client/catalog";
import { createDesignsClient } from "@harnesshero/client/designs";
import { ViolationsSchema, validate } from "@harnesshero/client/validation";

import { RUN, basicDesign, brokenDesign, connect, expectViolations, harnessUrl, signUp, type DesignInit } from "./support.js";

const catalog = createCatalogClient(createTransport({ baseUrl: harnessUrl() }));

/** Violations as sorted [path, ruleId, message] triples. */
function triples(vs: FieldViolation[]): [string, string, string][] {
  return vs.map((v): [string, string, string] => [v.path, v.ruleId, v.message]).sort((a, b) => a.join().localeCompare(b.join()));
}

/** Designs that break rules of every kind: enums, cross-field CEL, patterns, lengths, ranges, nested. */
const broken: [string, DesignInit][] = [
  ["five cross-field rules", brokenDesign()],
  ["nothing set", {}],
  ["patch outside the alphabet", basicDesign({ namePatch: { text: "Rex!!", threadColor: Color.BLACK } })],
  ["patch too long", basicDesign({ namePatch: { text: "Abcdefghijklm", threadColor: Color.BLACK } })],
  ["thread and trim like the webbing", basicDesign({ webbingColor: Color.NAVY, trimColor: Color.NAVY, namePatch: { text: "Rex", threadColor: Color.NAVY } })],
  ["leash and girths out of range", basicDesign({ leash: { lengthMm: 1500 }, measurements: { chestGirthMm: 99, neckGirthMm: 1501 } })],
  ["engraving", basicDesign({ idTag: { engraving: " Rex" } })],
];

describe("violations: the page and the server agree", () => {
  const designs = (async () => createDesignsClient(createTransport({ baseUrl: harnessUrl(), token: (await signUp("violations")).token })))();

  for (const [name, design] of broken) {
    test(`${name}: same paths, rule ids and messages`, async () => {
      const local = validate(DesignSchema, design);
      assert.equal(local.valid, false);

      // Quote({design}): paths from the request, "design." + the local ones.
      const quoteErr = await expectViolations(catalog.quote({ design, quantity: 1 }));
      assert.deepEqual(
        triples(quoteErr),
        triples(local.violations.map((v) => ({ ...v, path: v.path === "" ? "design" : `design.${v.path}` }))),
      );

      // CreateDesign({name, design}) relative to "design": exactly the local ones.
      const err = await (await designs).createDesign({ name: `${RUN} ${name}`, design }).then(
        () => assert.fail("the broken design was saved"),
        (e: unknown) => e,
      );
      assert.deepEqual(triples(violationsOf(err, { relativeTo: "design" })), triples(local.violations));
      assert.deepEqual(fieldErrors(violationsOf(err, { relativeTo: "design" })), fieldErrors(local.violations));
    });
  }

  test("paths are camelCase, the TypeScript property names", async () => {
    const vs = await expectViolations(catalog.quote({ design: brokenDesign(), quantity: 1 }));
    assert.deepEqual([...new Set(vs.map((v) => v.path))].sort(), [
      "design.backHandle",
      "design.hardware",
      "design.size",
      "design.style",
      "design.webbingColor",
    ]);
    const errors = fieldErrors(violationsOf(await quoteError(brokenDesign()), { relativeTo: "design" }));
    assert.deepEqual(Object.keys(errors).sort(), ["backHandle", "hardware", "size", "style", "webbingColor"]);
    const properties = DesignSchema.fields.map((f) => f.localName);
    for (const key of Object.keys(errors)) {
      assert.ok(properties.includes(key), `${key} is not a property of Design`);
    }
  });

  test("relativeTo takes snake_case or camelCase, and list subscripts", async () => {
    const patch = basicDesign({ namePatch: { text: "Rex!!", threadColor: Color.BLACK } });
    const err = await quoteError(patch);
    assert.deepEqual(violationsOf(err, { relativeTo: "design.name_patch" }).map((v) => v.path), ["text"]);
    assert.deepEqual(violationsOf(err, { relativeTo: "design.namePatch" }).map((v) => v.path), ["text"]);
    assert.deepEqual(violationsOf(err, { relativeTo: "design.namePatch.text" }).map((v) => v.path), [""]);
    assert.deepEqual(violationsOf(err, { relativeTo: "design.size" }), []);
    // No prefix match on part of a name: "design.name" is not "design.namePatch".
    assert.deepEqual(violationsOf(err, { relativeTo: "design.name" }), []);

    const cart = await catalog.quoteCart({
      lines: [
        { design: basicDesign(), quantity: 1 },
        { design: brokenDesign(), quantity: 0 },
      ],
    }).then(() => assert.fail("the broken cart was quoted"), (e: unknown) => e);
    assert.deepEqual(
      triples(violationsOf(cart, { relativeTo: "lines[1].design" })),
      triples(validate(DesignSchema, brokenDesign()).violations),
    );
    assert.deepEqual(violationsOf(cart, { relativeTo: "lines[1]" }).map((v) => v.path).filter((p) => !p.startsWith("design.")), ["quantity"]);
    assert.deepEqual(violationsOf(cart, { relativeTo: "lines[0]" }), []);
  });

  test("the wire reader reads what the generated ViolationsSchema reads", async () => {
    const err = await quoteError(brokenDesign());
    assert.ok(err instanceof ConnectError);
    const reference = err.findDetails(ViolationsSchema).flatMap((d) => d.violations);
    const ours = violationsOf(err);
    assert.equal(ours.length, reference.length);
    assert.deepEqual(
      ours.map((v) => [v.ruleId, v.message]),
      reference.map((v) => [v.ruleId, v.message]),
    );
    assert.deepEqual(
      ours.map((v) => v.path.split(".").length),
      reference.map((v) => v.field?.elements.length ?? 0),
    );
  });

  test("fieldErrors keeps the first message of each path; '' is the message as a whole", () => {
    assert.deepEqual(
      fieldErrors([
        { path: "size", ruleId: "a", message: "first" },
        { path: "size", ruleId: "b", message: "second" },
        { path: "", ruleId: "c", message: "whole" },
      ]),
      { size: "first", "": "whole" },
    );
  });

  test("violationsOf is empty for other errors", async () => {
    assert.deepEqual(violationsOf(new Error("boom")), []);
    assert.deepEqual(violationsOf(new ConnectError("gone", Code.NotFound)), []);
    assert.deepEqual(violationsOf(undefined), []);
    const unauthenticated = await createDesignsClient(createTransport({ baseUrl: harnessUrl() }))
      .listDesigns({})
      .then(() => assert.fail("listed without sign-in"), (e: unknown) => e);
    assert.deepEqual(violationsOf(unauthenticated), []);
  });

  test("a valid design has no violations on either side", async () => {
    const design = { style: Style.NO_PULL, size: Size.L, material: Material.LEATHER, hardware: Hardware.STAINLESS, webbingColor: Color.BLACK };
    assert.deepEqual(validate(DesignSchema, design), { valid: true, violations: [] });
    const { quote } = await connect().catalog.quote({ design, quantity: 1 });
    assert.ok(quote);
  });
});

async function quoteError(design: DesignInit): Promise<unknown> {
  return catalog.quote({ design, quantity: 1 }).then(
    () => assert.fail("the broken design was quoted"),
    (e: unknown) => e,
  );
}
