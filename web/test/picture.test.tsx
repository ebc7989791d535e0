import assert from "node:assert/strict";
import { test } from "node:test";

import { renderToStaticMarkup } from "react-dom/server";
import { Color, Hardware, Material, Size, Style } from "@harnesshero/client/catalog";

import { HarnessPicture } from "../components/harness-picture";
import type { DesignInit } from "../lib/options";
import { CATALOG } from "./catalog-fixture";

const hex = (c: Color) => CATALOG.colors.find((x) => x.color === c)!.hex;
const draw = (design: DesignInit) => renderToStaticMarkup(<HarnessPicture catalog={CATALOG} design={design} />);
const BASE: DesignInit = { style: Style.STEP_IN, size: Size.M, material: Material.NYLON, hardware: Hardware.PLASTIC, webbingColor: Color.NAVY };

test("the picture shows the webbing and trim colours, the name patch's text in its thread colour", () => {
  const svg = draw({ ...BASE, trimColor: Color.RED, namePatch: { text: "Biscuit", threadColor: Color.YELLOW } });
  assert.match(svg, new RegExp(`stroke="${hex(Color.NAVY)}"[^>]*data-layer="webbing"`));
  assert.match(svg, new RegExp(`stroke="${hex(Color.RED)}"[^>]*data-layer="trim"`));
  assert.match(svg, new RegExp(`<text[^>]*fill="${hex(Color.YELLOW)}"[^>]*>Biscuit</text>`));
  assert.match(svg, /role="img"/);
  assert.match(svg, /aria-label="Picture of the harness: Step-in · M · Nylon · Plastic · Navy webbing · Red trim · “Biscuit” patch"/);
});

test("each style draws its own shape", () => {
  const shapes = new Set(
    [Style.STEP_IN, Style.OVERHEAD, Style.VEST, Style.NO_PULL].map((style) =>
      [...draw({ ...BASE, style }).matchAll(/<path d="([^"]+)"[^>]*data-layer="(?:webbing|panel)"/g)].map((m) => m[1]).join("|"),
    ),
  );
  assert.equal(shapes.size, 4);
  assert.match(draw({ ...BASE, style: Style.VEST }), /data-layer="panel"/);
  assert.doesNotMatch(draw(BASE), /data-layer="panel"/);
});

test("options appear only when chosen: leash, ID tag, handle, reflective, finish", () => {
  const plain = draw(BASE);
  for (const part of ["leash", "id-tag", "handle", "reflective", "name-patch", "trim", "stitching"]) {
    assert.doesNotMatch(plain, new RegExp(`data-layer="${part}"`), part);
  }
  const full = draw({
    ...BASE, material: Material.LEATHER, hardware: Hardware.STAINLESS, backHandle: true, reflectiveTrim: true,
    leash: { lengthMm: 1800 }, idTag: { engraving: "Call 555" },
  });
  for (const part of ["leash", "id-tag", "handle", "reflective", "stitching"]) assert.match(full, new RegExp(`data-layer="${part}"`), part);
  assert.match(full, /data-length="1800"/);
  assert.match(full, /ID tag: Call 555/);
  assert.match(full, /data-hardware="STAINLESS"/);
  assert.notEqual(draw({ ...BASE, hardware: Hardware.ALUMINUM }), draw({ ...BASE, hardware: Hardware.PLASTIC }));
  assert.equal(renderToStaticMarkup(<HarnessPicture catalog={CATALOG} design={undefined} />), "");
});
