// The builder as a product (issue 19), at a desktop and a phone width,
// against a fresh platform: the picture follows every choice, each choice
// shows its price difference and the price after picking it equals Quote,
// choices a catalog rule forbids are disabled with the rule's words, the
// price stays on screen while a field is fixed, and the design in progress
// survives a reload and Back. Also the first-load JS budget and the times.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { createClient, createTransport } from "@harnesshero/client";
import { CatalogService, Color, Hardware, Material, Size, Style } from "@harnesshero/client/catalog";
import { UserService } from "@harnesshero/client/users";

import {
  DEADLINE_MS,
  RUN,
  VIEWPORTS,
  cents,
  firstLoadJs,
  launchBrowser,
  logOf,
  newPage,
  screenshot,
  sentence,
  startStack,
  stopAll,
  until,
} from "./support.mjs";

// The builder's first-load JS, gzipped (web/README.md: 309 KB before issue 19).
const FIRST_LOAD_BUDGET_BYTES = 320 * 1024;

let stack;
let browser;
let catalog;

const quoteOf = async (design, quantity = 1) =>
  (await createClient(CatalogService, createTransport({ baseUrl: stack.api })).quote({ design, quantity })).quote;

/** The design the builder's inputs hold, read from the page (the form's own state). */
async function designOnPage(page) {
  return page.evaluate(() => {
    const v = (sel) => document.querySelector(sel)?.value;
    const checked = (name) => Number(document.querySelector(`input[name=${name}]:checked`)?.value);
    const d = {
      style: checked("style"), size: Number(v("#size")), material: checked("material"), hardware: checked("hardware"),
      webbingColor: checked("webbingColor"), reflectiveTrim: document.querySelector("#reflectiveTrim").checked,
      backHandle: document.querySelector("#backHandle").checked,
    };
    if (Number(v("#trimColor"))) d.trimColor = Number(v("#trimColor"));
    if (document.querySelector("#namePatch").checked) d.namePatch = { text: v("#namePatchText"), threadColor: Number(v("#threadColor")) };
    if (Number(v("#leash"))) d.leash = { lengthMm: Number(v("#leash")) };
    if (document.querySelector("#idTag").checked) d.idTag = { engraving: v("#engraving") };
    return d;
  });
}

/** Waits for a current (not stale) unit price and returns it in cents. */
async function freshUnit(page, want) {
  let got;
  await until(`the unit price ${want === undefined ? "" : cents(want)}`, async () => {
    got = Number(await page.locator("[data-testid=unit-price]").getAttribute("data-cents", { timeout: 500 }));
    return want === undefined ? Number.isInteger(got) && got > 0 : got === want;
  });
  return got;
}

/** The design's Quote, and the page shows it (and the phone's bar too). */
async function expectQuoted(page, v, quantity = 1) {
  const q = await quoteOf(await designOnPage(page), quantity);
  await freshUnit(page, q.unitPriceCents);
  await until("the line total", async () => (await page.locator("[data-testid=line-total]").getAttribute("data-cents", { timeout: 500 })) === String(q.totalCents));
  if (v.name === "phone") {
    await until("the bar's price", async () => (await page.locator("[data-testid=bar-total]").getAttribute("data-cents", { timeout: 500 })) === String(q.totalCents));
  }
  return q;
}

before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  catalog = (await createClient(CatalogService, createTransport({ baseUrl: stack.api })).getCatalog({})).catalog;
});

after(async () => {
  await browser?.close();
  if (process.exitCode && stack) console.error(`--- harness ---\n${logOf(stack.server)}\n--- next ---\n${logOf(stack.next)}`);
  await stopAll();
});

const hex = (c) => catalog.colors.find((x) => x.color === c).hex;

for (const v of VIEWPORTS) {
  test(`${v.name}: the picture follows every choice`, async () => {
    const { context, page, errors } = await newPage(browser, v);
    try {
      await page.goto(`${stack.web}/`);
      const pic = page.getByTestId("picture-builder");
      await pic.waitFor({ timeout: DEADLINE_MS });
      const attr = (name) => pic.getAttribute(name);
      const shapes = new Set();
      for (const s of catalog.styles) {
        await page.check(`input[name=style][value="${s.style}"]`);
        await until(`the ${s.label} picture`, async () => (await attr("data-style")) === Style[s.style]);
        shapes.add(await pic.locator('[data-layer="webbing"], [data-layer="panel"]').evaluateAll((els) => els.map((e) => e.getAttribute("d")).join("|")));
      }
      assert.equal(shapes.size, catalog.styles.length, "each style has its own shape");
      await page.check(`input[name=webbingColor][value="${Color.TEAL}"]`);
      await until("teal webbing", async () => (await attr("data-webbing")) === hex(Color.TEAL));
      await page.selectOption("#trimColor", String(Color.ORANGE));
      await until("orange trim", async () => (await attr("data-trim")) === hex(Color.ORANGE));
      await page.check(`input[name=hardware][value="${Hardware.STAINLESS}"]`);
      await until("stainless hardware", async () => (await attr("data-hardware")) === "STAINLESS");
      await page.getByLabel("Name patch", { exact: true }).check();
      await page.fill("#namePatchText", "Rex");
      await page.selectOption("#threadColor", String(Color.YELLOW));
      await until("the patch's text", async () => (await pic.getByTestId("patch-text").textContent({ timeout: 500 })) === "Rex");
      assert.equal(await pic.getByTestId("patch-text").getAttribute("fill"), hex(Color.YELLOW));
      assert.equal(await pic.locator('[data-layer="leash"]').count(), 0);
      await page.selectOption("#leash", "1800");
      await pic.locator('[data-layer="leash"][data-length="1800"]').waitFor({ timeout: 5000 });
      await page.getByLabel("Engraved ID tag", { exact: true }).check();
      await pic.locator('[data-layer="id-tag"]').waitFor({ timeout: 5000 });
      assert.match(await attr("aria-label"), /Teal webbing · Orange trim · “Rex” patch · 1800 mm leash · ID tag/);
      await screenshot(page, `${v.name}-picture`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test(`${v.name}: each choice shows its price difference, and the price after picking it equals Quote`, async () => {
    const { context, page, errors } = await newPage(browser, v);
    try {
      await page.goto(`${stack.web}/`);
      await expectQuoted(page, v);
      if (v.name === "desktop") assert.equal(await page.getByTestId("price-bar").isVisible(), false, "no bar on a wide screen");
      else {
        const box = await page.getByTestId("price-bar").boundingBox();
        assert.ok(box && box.y + box.height <= v.height + 1 && box.y > v.height / 2, "the bar sits at the bottom of the screen");
      }
      // Each pick: the difference shown, then the new price equals the old one plus it, and Quote.
      const picks = [
        ["style Vest", `label:has(input[name=style][value="${Style.VEST}"]) .price`, (p) => p.check(`input[name=style][value="${Style.VEST}"]`)],
        ["size L", `#size option[value="${Size.L}"]`, (p) => p.selectOption("#size", String(Size.L))],
        ["padded mesh", `label:has(input[name=material][value="${Material.PADDED_MESH}"]) .price`, (p) => p.check(`input[name=material][value="${Material.PADDED_MESH}"]`)],
        ["stainless", `label:has(input[name=hardware][value="${Hardware.STAINLESS}"]) .price`, (p) => p.check(`input[name=hardware][value="${Hardware.STAINLESS}"]`)],
        ["aluminum", `label:has(input[name=hardware][value="${Hardware.ALUMINUM}"]) .price`, (p) => p.check(`input[name=hardware][value="${Hardware.ALUMINUM}"]`)],
        ["size S", `#size option[value="${Size.S}"]`, (p) => p.selectOption("#size", String(Size.S))],
        ["reflective trim", "#reflectiveTrim-price", (p) => p.locator("#reflectiveTrim").check()],
        ["back handle", "#backHandle-price", (p) => p.locator("#backHandle").check()],
        ["leash 1200 mm", '#leash option[value="1200"]', (p) => p.selectOption("#leash", "1200")],
        ["leash 1800 mm", '#leash option[value="1800"]', (p) => p.selectOption("#leash", "1800")],
        ["ID tag", "#idTag-price", async (p) => {
          await p.locator("#idTag").check();
          await p.fill("#engraving", "Call 555");
        }],
        ["no leash", '#leash option[value="0"]', (p) => p.selectOption("#leash", "0")],
        ["style step-in", `label:has(input[name=style][value="${Style.STEP_IN}"]) .price`, (p) => p.check(`input[name=style][value="${Style.STEP_IN}"]`)],
      ];
      let unit = await freshUnit(page);
      for (const [what, sel, pick] of picks) {
        const el = page.locator(sel);
        const delta = Number(await el.getAttribute("data-delta"));
        // Every add-on's difference is its own catalog price (not another's).
        if (what === "ID tag") assert.equal(delta, catalog.options.idTagCents);
        assert.ok(delta !== 0, `${what} changes the price`);
        assert.ok((await el.textContent()).includes(`${delta > 0 ? "+" : ""}${cents(delta)}`), `${what} shows ${cents(delta)}`);
        await pick(page);
        const q = await expectQuoted(page, v);
        assert.equal(q.unitPriceCents, unit + delta, `${what}: the price moved by what the choice said`);
        unit = q.unitPriceCents;
      }
      // Ticked, an add-on still shows what it adds.
      assert.equal(await page.locator("#idTag-price").textContent(), `+${cents(catalog.options.idTagCents)}`);
      assert.equal(await page.locator("#backHandle-price").textContent(), `+${cents(catalog.options.backHandleCents)}`);
      // The leash is chosen in the catalog's unit, the one the breakdown names it in (millimetres).
      for (const mm of [1200, 1800]) assert.match(await page.locator(`#leash option[value="${mm}"]`).textContent(), new RegExp(`^${mm} mm`));
      await screenshot(page, `${v.name}-deltas`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

test("choices a catalog rule forbids are disabled with the rule's message", async () => {
  const { context, page, errors } = await newPage(browser, VIEWPORTS[0]);
  const rule = (id) => sentence(catalog.rules.find((r) => r.id === id).description);
  const radio = (name, value) => page.locator(`input[name=${name}][value="${value}"]`);
  const why = (name, value) => page.locator(`label:has(input[name=${name}][value="${value}"]) [data-rule-message]`);
  try {
    await page.goto(`${stack.web}/`);
    await page.getByTestId("picture-builder").waitFor({ timeout: DEADLINE_MS });
    // Rule 1: leather needs aluminum or stainless, so with plastic it is off.
    assert.ok(await radio("material", Material.LEATHER).isDisabled());
    assert.equal(await why("material", Material.LEATHER).textContent(), rule("hardware.leather_hardware"));
    assert.ok(await radio("material", Material.PADDED_MESH).isEnabled());
    await page.check(`input[name=hardware][value="${Hardware.STAINLESS}"]`);
    await until("leather allowed", () => radio("material", Material.LEATHER).isEnabled());
    await page.check(`input[name=material][value="${Material.LEATHER}"]`);
    // With leather: plastic, the vest, XS and the bright colours are off, each with its rule.
    await until("plastic off", () => radio("hardware", Hardware.PLASTIC).isDisabled());
    assert.equal(await why("hardware", Hardware.PLASTIC).textContent(), rule("hardware.leather_hardware"));
    assert.ok(await radio("style", Style.VEST).isDisabled());
    assert.equal(await why("style", Style.VEST).textContent(), rule("style.leather_style"));
    assert.ok(await radio("webbingColor", Color.RED).isDisabled());
    assert.equal(await why("webbingColor", Color.RED).textContent(), rule("webbing_color.leather_webbing_color"));
    assert.ok(await radio("webbingColor", Color.BROWN).isEnabled());
    const xs = page.locator(`#size option[value="${Size.XS}"]`);
    assert.ok(await xs.isDisabled());
    assert.ok((await xs.textContent()).includes(rule("size.leather_size")));
    // Rule 6: the webbing's own colour is off as a trim colour.
    const trimBlack = page.locator(`#trimColor option[value="${Color.BLACK}"]`);
    assert.ok(await trimBlack.isDisabled());
    assert.ok((await trimBlack.textContent()).includes(rule("trim_color.trim_color_distinct")));
    // Rule 5: in XS there is no back handle.
    await page.check(`input[name=material][value="${Material.NYLON}"]`);
    await page.selectOption("#size", String(Size.XS));
    await until("the back handle off", () => page.locator("#backHandle").isDisabled());
    assert.equal(await page.locator("#backHandle-price").textContent(), rule("back_handle.back_handle_size"));
    // Rule 7: ticking the name patch picks a thread colour that differs from the webbing.
    await page.check(`input[name=webbingColor][value="${Color.YELLOW}"]`);
    await page.getByLabel("Name patch", { exact: true }).check();
    assert.notEqual(await page.inputValue("#threadColor"), String(Color.YELLOW));
    assert.ok(await page.locator(`#threadColor option[value="${Color.YELLOW}"]`).isDisabled());
    assert.equal(await page.locator("[data-field]").count(), 0, "no error: nothing typed yet, no rule broken");
    await screenshot(page, "rules-disable-choices");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("phone: the last price stays, marked, while a field is being fixed; the bar prices every change", async () => {
  const v = VIEWPORTS[1];
  const { context, page, errors } = await newPage(browser, v);
  try {
    await page.goto(`${stack.web}/`);
    const q0 = await expectQuoted(page, v);
    await page.getByLabel("Name patch", { exact: true }).check();
    await page.locator("#namePatchText").waitFor({ timeout: 5000 });
    assert.equal(await page.getByTestId("bar-stale-total").getAttribute("data-cents"), String(q0.totalCents));
    assert.equal(await page.locator("[data-field]").count(), 0, "no error before typing");
    // Left empty: the error shows, the price stays, marked as the previous one.
    await page.locator("#namePatchText").focus();
    await page.locator("#namePatchText").blur();
    await page.locator('[data-field="namePatch.text"]').waitFor({ timeout: 5000 });
    assert.equal(await page.getByTestId("stale-total").getAttribute("data-cents"), String(q0.totalCents));
    await page.fill("#namePatchText", "Biscuit Jr");
    const q1 = await expectQuoted(page, v);
    assert.equal(q1.unitPriceCents - q0.unitPriceCents, catalog.options.namePatchBaseCents + 4 * catalog.options.namePatchExtraCharCents);
    // A quantity being retyped: the previous price stays in the bar.
    await page.fill("#quantity", "");
    await until("the stale bar price", async () => (await page.getByTestId("bar-stale-total").getAttribute("data-cents", { timeout: 500 })) === String(q1.totalCents));
    await page.fill("#quantity", "3");
    const q3 = await expectQuoted(page, v, 3);
    assert.ok(q3.discountCents > 0);
    await screenshot(page, "phone-bar");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

for (const v of VIEWPORTS) {
  test(`${v.name}: the design in progress survives a reload and Back`, async () => {
    const { context, page, errors } = await newPage(browser, v);
    try {
      await page.goto(`${stack.web}/`);
      await page.check(`input[name=style][value="${Style.VEST}"]`);
      await page.selectOption("#size", String(Size.L));
      await page.check(`input[name=material][value="${Material.PADDED_MESH}"]`);
      await page.check(`input[name=webbingColor][value="${Color.TEAL}"]`);
      await page.selectOption("#trimColor", String(Color.ORANGE));
      await page.getByLabel("Name patch", { exact: true }).check();
      await page.fill("#namePatchText", "Rex");
      await page.fill("#quantity", "3");
      const q = await expectQuoted(page, v, 3);
      const want = await designOnPage(page);
      await until("the address to hold the design", () => new URL(page.url()).searchParams.get("q") === "3");

      await page.reload();
      await freshUnit(page, q.unitPriceCents);
      assert.deepEqual(await designOnPage(page), want, "after a reload");
      assert.equal(await page.inputValue("#quantity"), "3");

      // Away with the shop's own link, then Back.
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" }).click();
      await page.waitForURL(/\/signin/, { timeout: DEADLINE_MS });
      await page.goBack();
      await freshUnit(page, q.unitPriceCents);
      assert.deepEqual(await designOnPage(page), want, "after Back");
      assert.equal(await page.inputValue("#quantity"), "3");
      assert.equal(await page.getByTestId("picture-builder").getAttribute("data-style"), "VEST");

      // A link whose design cannot be read says so.
      await page.goto(`${stack.web}/?d=not*a*design`);
      await page.getByTestId("unreadable-link").waitFor({ timeout: DEADLINE_MS });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

test("a saved design that cannot be opened says so, signed out and signed in", async () => {
  const { context, page, errors } = await newPage(browser, VIEWPORTS[0]);
  try {
    await page.goto(`${stack.web}/?design=00000000-0000-4000-8000-000000000000`);
    const problem = page.getByTestId("design-problem");
    await problem.waitFor({ timeout: DEADLINE_MS });
    assert.match(await problem.textContent(), /Sign in to open this design/);
    assert.equal(await page.locator("form[aria-label='Harness design']").count(), 0, "not the default builder");

    const email = `${RUN}-lost@example.com`;
    const password = "correct horse battery staple";
    await createClient(UserService, createTransport({ baseUrl: stack.api })).register({ email, password, displayName: "Lost" });
    await problem.getByRole("link", { name: "Sign in" }).click();
    await page.fill("#email", email);
    await page.fill("#password", password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/\?design=/, { timeout: DEADLINE_MS });
    await problem.waitFor({ timeout: DEADLINE_MS });
    assert.match(await problem.textContent(), /This design could not be found/);
    assert.match(await problem.textContent(), /00000000-0000-4000-8000-000000000000/);
    for (const bad of ["not-an-id", "11111111-1111-4111-8111-111111111111"]) {
      await page.goto(`${stack.web}/?design=${bad}`);
      await problem.waitFor({ timeout: DEADLINE_MS });
      assert.match(await problem.textContent(), /could not be found/, bad);
    }
    assert.equal(await page.locator("form[aria-label='Harness design']").count(), 0);
    await screenshot(page, "design-not-found");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("the builder's first-load JS is within budget; first load and price-update times", async () => {
  const { gzipBytes, files } = await firstLoadJs(`${stack.web}/`);
  console.log(`builder first-load JS: ${(gzipBytes / 1024).toFixed(1)} KB gzipped in ${files.length} files (budget ${FIRST_LOAD_BUDGET_BYTES / 1024} KB)`);
  assert.ok(gzipBytes <= FIRST_LOAD_BUDGET_BYTES, `first-load JS ${gzipBytes} B exceeds the budget ${FIRST_LOAD_BUDGET_BYTES} B`);

  const { context, page } = await newPage(browser, VIEWPORTS[0]);
  try {
    const loads = [];
    const updates = [];
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      await page.goto(`${stack.web}/`);
      await page.locator("[data-testid=line-total]").waitFor({ timeout: DEADLINE_MS });
      loads.push(Date.now() - t0);
      for (const size of [Size.L, Size.M]) {
        const want = (await quoteOf({ ...(await designOnPage(page)), size })).unitPriceCents;
        const t1 = Date.now();
        await page.selectOption("#size", String(size));
        await freshUnit(page, want);
        updates.push(Date.now() - t1);
      }
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`builder first load to a price: median ${median(loads)} ms (${loads.join(", ")}); price update after a choice: median ${median(updates)} ms (${updates.join(", ")})`);
    assert.ok(median(updates) < DEADLINE_MS);
  } finally {
    await context.close();
  }
});
