// The shop in real headless Chromium, against the production build of the
// app (`next build`, then `next start`) and a freshly started platform with
// an empty SQLite database. The scenarios run in order and share the
// accounts they create: a customer designs, saves, orders and pays; an admin
// then sees the payment in the charts. Each step leaves a screenshot under
// e2e/screenshots/ (git-ignored; CI keeps it as an artifact).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { Code, ConnectError, createClient, createTransport, violationsOf } from "@harnesshero/client";
import { CatalogService, Color, Hardware, Material, Size, Style } from "@harnesshero/client/catalog";
import { DesignService } from "@harnesshero/client/designs";
import { OrderService, OrderStatus } from "@harnesshero/client/orders";
import { UserService } from "@harnesshero/client/users";
import { AnalyticsService } from "@harnesshero/client/analytics";
import { validateDesign } from "@harnesshero/client/validation";

import {
  DEADLINE_MS,
  RUN,
  buildApp,
  clearScreenshots,
  grantAdmin,
  launchBrowser,
  logOf,
  screenshot,
  sessionOf,
  setSessionCookies,
  startStack,
  stopAll,
  until,
} from "./support.mjs";

const PASSWORD = "correct horse battery staple";

let stack;
let browser;
let page;
const customer = { email: `${RUN}-ada@example.com`, name: "Ada" };
let paidOrder;

/** A client of the API as someone with the given token (or nobody). */
function api(service, token) {
  return createClient(service, createTransport({ baseUrl: stack.api, ...(token ? { token } : {}) }));
}

/** The page's session: its user (localStorage) and tokens (the browser's httpOnly cookies). */
async function session(p = page) {
  return sessionOf(p);
}

/** Whether the app's server refreshed the session while answering res. */
const refreshedBy = (res) => res.headers()["x-harness-refreshed"] === "1";

const sentence = (m) => {
  const t = m.trim();
  const h = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(h) ? h : `${h}.`;
};

const cents = (c) => {
  const abs = Math.abs(c);
  const d = String((abs - (abs % 100)) / 100).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${c < 0 ? "\u2212" : ""}$${d}.${String(abs % 100).padStart(2, "0")}`;
};

/** Sets the builder's inputs to design (a Design init) and quantity. */
async function setDesign(p, d, quantity = 1) {
  // Choices a catalog rule forbids with the current ones are disabled: go
  // through a design every choice may follow (nylon, no add-ons), then set
  // each field in an order in which no rule forbids the next.
  await p.check(`input[name=material][value="${Material.NYLON}"]`);
  await p.selectOption("#trimColor", "0");
  await p.locator("#backHandle").setChecked(false);
  await p.getByLabel("Name patch", { exact: true }).setChecked(false);
  await p.check(`input[name=style][value="${d.style}"]`);
  await p.selectOption("#size", String(d.size));
  await p.check(`input[name=hardware][value="${d.hardware}"]`);
  await p.check(`input[name=webbingColor][value="${d.webbingColor}"]`);
  await p.check(`input[name=material][value="${d.material}"]`);
  await p.selectOption("#trimColor", String(d.trimColor ?? 0));
  await p.getByLabel("Reflective trim", { exact: true }).setChecked(Boolean(d.reflectiveTrim));
  await p.locator("#backHandle").setChecked(Boolean(d.backHandle));
  await p.getByLabel("Name patch", { exact: true }).setChecked(Boolean(d.namePatch));
  if (d.namePatch) {
    await p.fill("#namePatchText", d.namePatch.text);
    await p.selectOption("#threadColor", String(d.namePatch.threadColor));
  }
  await p.selectOption("#leash", String(d.leash?.lengthMm ?? 0));
  await p.getByLabel("Engraved ID tag", { exact: true }).setChecked(Boolean(d.idTag));
  if (d.idTag) await p.fill("#engraving", d.idTag.engraving);
  await p.fill("#chest", d.measurements ? String(d.measurements.chestGirthMm) : "");
  await p.fill("#neck", d.measurements ? String(d.measurements.neckGirthMm) : "");
  await p.fill("#quantity", String(quantity));
}

/** Waits until the price panel shows exactly the server's quote q. */
async function expectPrice(p, q) {
  await until(`the price ${cents(q.totalCents)}`, async () => {
    const unit = await p.locator("[data-testid=unit-price]").getAttribute("data-cents", { timeout: 500 });
    const total = await p.locator("[data-testid=line-total]").getAttribute("data-cents", { timeout: 500 });
    return unit === String(q.unitPriceCents) && total === String(q.totalCents);
  });
  assert.equal(await p.locator("[data-testid=line-total]").textContent(), cents(q.totalCents));
  assert.equal(await p.locator("[data-testid=unit-price]").textContent(), cents(q.unitPriceCents));
  const parts = await p.locator("[data-part]").evaluateAll((rows) => rows.map((r) => [r.getAttribute("data-part"), r.textContent]));
  assert.deepEqual(
    parts,
    q.parts.map((x) => [x.code, `${x.label}${x.code === "size" && x.amountCents > 0 ? "+" : ""}${cents(x.amountCents)}`]),
  );
  if (q.discountCents > 0) {
    assert.equal(await p.locator("[data-testid=discount]").getAttribute("data-cents"), String(q.discountCents));
  }
}

/** Waits for the order page to show status. */
async function expectOrderStatus(p, status) {
  const want = OrderStatus[status];
  await until(`the order ${want}`, async () => {
    return (await p.locator("[data-testid=order-status]").getAttribute("data-status", { timeout: 500 })) === want;
  });
  // The order page follows WatchOrder: no reload, no "Check status". The
  // status may come from the first GetOrder before the stream's first
  // message: wait for the page to say it is live, with a deadline.
  await until("the order page says it is live", () => p.locator("[data-testid=live]").isVisible());
}

before(async () => {
  clearScreenshots();
  buildApp();
  stack = await startStack();
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on("pageerror", (err) => console.error("page error:", err.message));
});

after(async () => {
  await browser?.close();
  if (process.exitCode && stack) {
    console.error(`--- harness ---\n${logOf(stack.server)}\n--- next ---\n${logOf(stack.next)}`);
  }
  await stopAll();
});

test("the price shown equals the server's Quote, for several designs", async () => {
  const designs = [
    [{ style: Style.STEP_IN, size: Size.M, material: Material.NYLON, hardware: Hardware.PLASTIC, webbingColor: Color.BLACK }, 1],
    [
      {
        style: Style.NO_PULL, size: Size.L, material: Material.LEATHER, hardware: Hardware.STAINLESS, webbingColor: Color.BLACK,
        reflectiveTrim: true, namePatch: { text: "Biscuit Jr", threadColor: Color.YELLOW }, leash: { lengthMm: 1800 },
      },
      3,
    ],
    [
      {
        style: Style.VEST, size: Size.XS, material: Material.PADDED_MESH, hardware: Hardware.ALUMINUM, webbingColor: Color.TEAL,
        trimColor: Color.ORANGE, idTag: { engraving: "Call 555-0100" },
      },
      2,
    ],
    [
      {
        style: Style.OVERHEAD, size: Size.XXL, material: Material.NYLON, hardware: Hardware.PLASTIC, webbingColor: Color.RED,
        backHandle: true, measurements: { chestGirthMm: 900, neckGirthMm: 600 },
      },
      10,
    ],
  ];
  await page.goto(`${stack.web}/`);
  for (const [i, [design, quantity]] of designs.entries()) {
    const { quote } = await api(CatalogService).quote({ design, quantity });
    await setDesign(page, design, quantity);
    await expectPrice(page, quote);
    await screenshot(page, `price-${i + 1}`);
  }
});

test("a broken rule shows its message next to its field and sends no request", async () => {
  await page.goto(`${stack.web}/`);
  const base = { style: Style.STEP_IN, size: Size.M, material: Material.NYLON, hardware: Hardware.PLASTIC, webbingColor: Color.BLACK };
  await expectPrice(page, (await api(CatalogService).quote({ design: base, quantity: 1 })).quote);

  const quotes = [];
  const count = (req) => {
    if (req.url().includes("/harness.builder.v1.CatalogService/Quote")) quotes.push(req.url());
  };
  page.on("request", count);
  try {
    // Rules 8 and 9 (the texts): a rule between choices cannot be broken
    // here, its choices are disabled (the next test).
    const basePrice = await page.locator("[data-testid=line-total]").getAttribute("data-cents");
    const broken = { ...base, namePatch: { text: "Two  spaces", threadColor: Color.YELLOW }, idTag: { engraving: "Call me!" } };
    const expected = validateDesign(broken).violations;
    assert.deepEqual(expected.map((v) => v.path).sort(), ["idTag.engraving", "namePatch.text"]);
    // Ticked, nothing typed: no error yet, and the price stays on screen.
    await page.getByLabel("Name patch", { exact: true }).check();
    await page.locator("#namePatchText").waitFor({ timeout: 5000 });
    assert.equal(await page.locator("[data-field]").count(), 0, "no error before anything is typed");
    assert.equal(await page.locator("[data-testid=stale-total]").getAttribute("data-cents"), basePrice, "the last price stays, marked");
    await page.fill("#namePatchText", "Two  spaces");
    await page.getByLabel("Engraved ID tag", { exact: true }).check();
    await page.fill("#engraving", "Call me!");
    assert.equal(await page.locator('[data-field="idTag.engraving"]').count(), 0, "no error while typing, before the field is left");
    await page.locator("#engraving").blur();
    await page.locator('[data-field="idTag.engraving"]').waitFor({ timeout: 5000 });
    assert.equal(await page.locator('[data-field="namePatch.text"]').count(), 1, "the name patch text was left earlier");
    for (const v of expected) {
      const error = page.locator(`[data-field="${v.path}"]`);
      await error.waitFor({ timeout: 5000 });
      assert.equal(await error.textContent(), sentence(v.message), `the message of ${v.path}`);
    }
    // Each message is tied to its input.
    for (const [input, path] of [["#namePatchText", "namePatch.text"], ["#engraving", "idTag.engraving"]]) {
      const errorId = await page.locator(`[data-field="${path}"]`).getAttribute("id");
      assert.ok((await page.locator(input).getAttribute("aria-describedby"))?.split(" ").includes(errorId), path);
      assert.equal(await page.locator(input).getAttribute("aria-invalid"), "true");
    }
    assert.ok(await page.locator("[data-testid=price-blocked]").isVisible());
    assert.equal(await page.locator("[data-testid=stale-total]").getAttribute("data-cents"), basePrice);
    assert.equal(await page.locator("[data-testid=line-total]").count(), 0, "no current price is claimed");
    await screenshot(page, "broken-rules");
    // Nothing was sent while the rules were broken (a short settle: react
    // would have fired the query at once).
    await page.waitForTimeout(750);
    assert.deepEqual(quotes, [], "no Quote request while a rule is broken");

    // Fixed, the price is asked for again and shown.
    await page.fill("#namePatchText", "Two spaces");
    await page.fill("#engraving", "Call me");
    const fixed = { ...base, namePatch: { text: "Two spaces", threadColor: Color.YELLOW }, idTag: { engraving: "Call me" } };
    await expectPrice(page, (await api(CatalogService).quote({ design: fixed, quantity: 1 })).quote);
    assert.ok(quotes.length >= 1, "a Quote request once the design is valid");
    assert.equal(await page.locator("[data-field]").count(), 0, "no error left");
  } finally {
    page.off("request", count);
  }

  // Rule 10 only the server knows (the size must fit the measurements): its
  // violation comes back on the size field, with the server's message.
  await page.getByLabel("Name patch", { exact: true }).uncheck();
  await page.getByLabel("Engraved ID tag", { exact: true }).uncheck();
  const tooSmall = { ...base, measurements: { chestGirthMm: 300, neckGirthMm: 220 } };
  const err = await api(CatalogService).quote({ design: tooSmall, quantity: 1 }).then(
    () => assert.fail("the server accepted a size that does not fit"),
    (e) => ConnectError.from(e),
  );
  assert.equal(err.code, Code.InvalidArgument);
  await setDesign(page, tooSmall, 1);
  const sizeError = page.locator('[data-field="size"]');
  await sizeError.waitFor({ timeout: 10_000 });
  const [fit] = violationsOf(err, { relativeTo: "design" });
  assert.equal(fit?.path, "size");
  assert.equal(await sizeError.textContent(), sentence(fit.message));
  assert.match(fit.message, /XS/, "the size error names the recommended size");
  await until("the size advice", async () => (await page.locator("[data-testid=size-advice]").textContent())?.includes("XS"));
  assert.equal(await page.locator("[data-testid=size-advice] :is(.alert, .notice)").count(), 0, "the advice does not repeat the size's message");
  assert.equal(await page.getByText(sentence(fit.message)).count(), 1, "the size's message is shown once");
  await screenshot(page, "size-does-not-fit");
});

test("sign up, save, list, update and delete a design", async () => {
  await page.goto(`${stack.web}/register`);
  await page.fill("#displayName", customer.name);
  await page.fill("#email", customer.email);
  await page.fill("#password", PASSWORD);
  await screenshot(page, "register");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.locator("[data-testid=signed-in-as]", { hasText: customer.name }).waitFor({ timeout: DEADLINE_MS });

  // Save.
  await page.goto(`${stack.web}/`);
  const design = { style: Style.NO_PULL, size: Size.M, material: Material.NYLON, hardware: Hardware.PLASTIC, webbingColor: Color.NAVY };
  await setDesign(page, design, 1);
  await expectPrice(page, (await api(CatalogService).quote({ design, quantity: 1 })).quote);
  await page.fill("#designName", "Walks");
  await page.getByRole("button", { name: "Save design" }).click();
  await page.getByText("Design saved.").waitFor({ timeout: DEADLINE_MS });
  await page.waitForURL(/\?design=/, { timeout: DEADLINE_MS });
  const id = new URL(page.url()).searchParams.get("design");
  assert.match(id ?? "", /^[0-9a-f-]{36}$/);
  const designs = () => api(DesignService, customer.token);
  customer.token = (await session()).accessToken;
  const saved = (await designs().getDesign({ id })).design;
  assert.equal(saved.name, "Walks");
  assert.equal(saved.design.style, Style.NO_PULL);
  await screenshot(page, "design-saved");

  // List.
  await page.goto(`${stack.web}/designs`);
  const row = page.locator(`tr[data-design-id="${id}"]`);
  await row.waitFor({ timeout: DEADLINE_MS });
  assert.match(await row.textContent(), /Walks/);
  assert.equal(await row.locator("td.num").getAttribute("data-cents"), String(saved.quote.unitPriceCents));
  await screenshot(page, "designs-listed");

  // Open and update.
  await row.getByRole("link", { name: "Open" }).click();
  await until("the saved design in the builder", async () => (await page.inputValue("#designName")) === "Walks");
  await page.selectOption("#size", String(Size.L));
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.getByText("Changes saved.").waitFor({ timeout: DEADLINE_MS });
  customer.token = (await session()).accessToken;
  const updated = (await designs().getDesign({ id })).design;
  assert.equal(updated.design.size, Size.L);
  assert.equal(updated.version, saved.version + 1n);
  await page.goto(`${stack.web}/designs`);
  await row.waitFor({ timeout: DEADLINE_MS });
  assert.equal(await row.locator("td.num").getAttribute("data-cents"), String(updated.quote.unitPriceCents));
  assert.notEqual(updated.quote.unitPriceCents, saved.quote.unitPriceCents, "L costs more than M");
  await screenshot(page, "design-updated");

  // Delete.
  page.once("dialog", (d) => void d.accept());
  await row.getByRole("button", { name: "Delete Walks" }).click();
  await page.getByText("Design deleted.").waitFor({ timeout: DEADLINE_MS });
  await row.waitFor({ state: "detached", timeout: DEADLINE_MS });
  await designs().getDesign({ id }).then(
    () => assert.fail("the deleted design is still there"),
    (e) => assert.equal(ConnectError.from(e).code, Code.NotFound),
  );
  await screenshot(page, "design-deleted");
});

test("checkout and pay with the test card: the order becomes PAID", async () => {
  // A saved design in the cart, three of them (a discount).
  await page.goto(`${stack.web}/`);
  const design = { style: Style.STEP_IN, size: Size.S, material: Material.PADDED_MESH, hardware: Hardware.ALUMINUM, webbingColor: Color.RED, backHandle: true };
  await setDesign(page, design, 3);
  await page.fill("#designName", "For the shop");
  await page.getByRole("button", { name: "Save design" }).click();
  await page.getByText("Design saved.").waitFor({ timeout: DEADLINE_MS });
  await page.getByRole("button", { name: "Add to cart" }).click();
  await page.getByText("Added to your cart.").waitFor({ timeout: DEADLINE_MS });

  await page.goto(`${stack.web}/cart`);
  const { totalCents } = await api(CatalogService).quoteCart({ lines: [{ design, quantity: 3 }] });
  await until("the cart's total", async () => (await page.locator("[data-testid=cart-total]").getAttribute("data-cents", { timeout: 500 })) === String(totalCents));
  // The address is checked in the page first.
  await page.getByRole("button", { name: "Place order" }).click();
  await page.locator('[data-field="name"]').waitFor({ timeout: 5000 });
  assert.equal(await page.locator("#addr-name").getAttribute("aria-invalid"), "true");
  await page.fill("#addr-name", "Ada Barker");
  await page.locator('[data-field="name"]').waitFor({ state: "detached", timeout: 5000 }); // fixed as typed
  await page.fill("#addr-line1", "1 Kennel Lane");
  await page.fill("#addr-city", "Portland");
  await page.fill("#addr-region", "OR");
  await page.fill("#addr-postalCode", "97201");
  await screenshot(page, "checkout");
  await page.getByRole("button", { name: "Place order" }).click();
  await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/, { timeout: DEADLINE_MS });
  const orderId = page.url().split("/").pop();
  await expectOrderStatus(page, OrderStatus.PENDING_PAYMENT);
  assert.equal(await page.locator("[data-testid=order-total]").getAttribute("data-cents"), String(totalCents));

  // A declined card leaves it awaiting payment, with the reason.
  await page.fill("#card", "4000 0000 0000 0002");
  await page.getByRole("button", { name: /with test card/ }).click();
  await until("the failure on the order, with its reason", async () =>
    /^The card was declined: .+/.test((await page.locator("[data-testid=payment-failure]").textContent({ timeout: 500 }).catch(() => "")) ?? ""),
  );
  assert.equal(await page.locator("section:has(#pay-heading) :is(.notice, .alert)").count(), 1, "one message for the attempt");
  await screenshot(page, "payment-declined");

  // 4242 pays.
  await page.fill("#card", "4242 4242 4242 4242");
  await page.getByRole("button", { name: /with test card/ }).click();
  await page.waitForURL(`${stack.web}/orders/${orderId}/confirmation`, { timeout: DEADLINE_MS });
  await expectOrderStatus(page, OrderStatus.PAID);
  await screenshot(page, "order-paid");
  customer.token = (await session()).accessToken;
  const { order } = await api(OrderService, customer.token).getOrder({ id: orderId });
  assert.equal(order.status, OrderStatus.PAID);
  assert.equal(order.totalCents, totalCents);
  paidOrder = order;

  await page.goto(`${stack.web}/orders`);
  const row = page.locator(`tr[data-order-id="${orderId}"]`);
  await row.waitFor({ timeout: DEADLINE_MS });
  assert.equal(await row.locator("[data-testid=order-status]").getAttribute("data-status"), "PAID");
  assert.equal(await page.locator(".badge").count(), 0, "the cart is empty after the order");
  await screenshot(page, "orders");
});

test("an expired access token is refreshed silently", async () => {
  // The app's server holds the tokens: the page calls /api/rpc, which calls
  // the API with the access token, refreshes it and retries once when it is
  // refused, and refreshes it first when it has expired. The page itself
  // never calls RefreshSession.
  const calls = [];
  const watch = (res) => {
    const url = res.url();
    if (url.includes("UserService/RefreshSession") || url.includes("DesignService/ListDesigns")) {
      calls.push([url.includes("RefreshSession") ? "refresh" : "list", res.status(), refreshedBy(res)]);
    }
  };
  page.on("response", watch);
  try {
    // A token the server refuses (its signature broken): the proxy's first
    // call is Unauthenticated, it refreshes once and retries.
    const before = await session();
    const [h, p, sig] = before.accessToken.split(".");
    await setSessionCookies(page, { accessToken: `${h}.${p}.${sig.slice(0, -6)}AAAAAA` });
    await page.goto(`${stack.web}/designs`);
    await page.getByRole("table", { name: "Saved designs" }).waitFor({ timeout: DEADLINE_MS });
    assert.match(await page.getByRole("table", { name: "Saved designs" }).textContent(), /For the shop/);
    assert.deepEqual(calls, [["list", 200, true]], "one call, refreshed on the server");
    const after = await session();
    assert.notEqual(after.accessToken, before.accessToken);
    assert.notEqual(after.refreshToken, before.refreshToken, "the refresh token rotated");
    await (api(UserService, after.accessToken)).getProfile({}); // the new token works
    await screenshot(page, "token-refreshed");

    // A token past its expiry time is refreshed before the call is sent.
    calls.length = 0;
    await setSessionCookies(page, { accessTokenExpiresAt: Date.now() - 60_000 });
    await page.reload();
    await page.getByRole("table", { name: "Saved designs" }).waitFor({ timeout: DEADLINE_MS });
    assert.deepEqual(calls, [["list", 200, true]]);
    const third = await session();
    assert.notEqual(third.refreshToken, after.refreshToken, "rotated again");
    assert.ok(third.accessTokenExpiresAt > Date.now(), "the new token's expiry is stored");
  } finally {
    page.off("response", watch);
  }
});

test("two tabs and parallel calls with an expired token refresh once between them and stay signed in", async () => {
  // The tabs share the session's cookies. Each refresh rotates the refresh
  // token, and spending a rotated one ends the session: the app's server
  // refreshes once per session, the other requests wait for that refresh and
  // take its tokens.
  let refreshes = 0;
  const watch = (res) => {
    if (refreshedBy(res)) refreshes++;
  };
  page.context().on("response", watch);
  const other = await page.context().newPage();
  try {
    await other.goto(`${stack.web}/designs`);
    await other.getByRole("table", { name: "Saved designs" }).waitFor({ timeout: DEADLINE_MS });
    await page.goto(`${stack.web}/designs`);
    await page.getByRole("table", { name: "Saved designs" }).waitFor({ timeout: DEADLINE_MS });
    const before = await session();
    refreshes = 0;
    await setSessionCookies(page, { accessTokenExpiresAt: Date.now() - 60_000 });
    await Promise.all([page.reload(), other.reload()]);
    for (const p of [page, other]) {
      await p.getByRole("table", { name: "Saved designs" }).waitFor({ timeout: DEADLINE_MS });
    }
    assert.equal(refreshes, 1, "one refresh for both tabs");
    const after = await session();
    assert.ok(after?.user, "still signed in");
    assert.notEqual(after.refreshToken, before.refreshToken, "the refresh token rotated");
    await api(UserService, after.accessToken).getProfile({}); // the stored token works

    // Eight calls at once, all with the expired token: one refresh.
    refreshes = 0;
    await setSessionCookies(page, { accessTokenExpiresAt: Date.now() - 60_000 });
    const answers = await page.evaluate(() =>
      Promise.all(
        Array.from({ length: 8 }, () =>
          fetch("/api/session", { headers: { "X-Harness-CSRF": "1" } }).then(async (r) => ({ status: r.status, refreshed: r.headers.get("x-harness-refreshed") === "1", body: await r.json() })),
        ),
      ),
    );
    assert.deepEqual(answers.map((a) => [a.status, a.body.signedIn]), Array(8).fill([200, true]));
    assert.equal(answers.filter((a) => a.refreshed).length, 1, "one RefreshSession for eight calls");
    const last = await session();
    assert.notEqual(last.refreshToken, after.refreshToken);
    await api(UserService).refreshSession({ refreshToken: last.refreshToken }).then(
      (res) => setSessionCookies(page, { accessToken: res.session.accessToken, refreshToken: res.session.refreshToken }),
    ); // the session was not revoked: its refresh token still works (the cookies follow)
  } finally {
    page.context().off("response", watch);
    await other.close();
  }
});

test("a request carrying a spent refresh token takes the tokens its refresh got, not spending it again", async () => {
  // A request sent before the browser stored the new cookies (another tab,
  // a call already in flight) still carries the spent refresh token. Here
  // that is made certain: after a refresh, the old cookies are written back.
  // The app's server must not present it to the API again ("refresh token
  // reused: session revoked").
  let refreshes = 0;
  const watch = (res) => {
    if (refreshedBy(res)) refreshes++;
  };
  page.on("response", watch);
  try {
    await page.goto(`${stack.web}/designs`);
    await page.getByRole("table", { name: "Saved designs" }).waitFor({ timeout: DEADLINE_MS });
    const old = await session();
    refreshes = 0;
    await setSessionCookies(page, { accessTokenExpiresAt: Date.now() - 60_000 });
    await page.reload();
    await page.getByRole("table", { name: "Saved designs" }).waitFor({ timeout: DEADLINE_MS });
    const fresh = await session();
    assert.notEqual(fresh.refreshToken, old.refreshToken, "refreshed");
    assert.equal(refreshes, 1);

    // The lagging request: the spent refresh token, its access token expired.
    await setSessionCookies(page, { accessToken: old.accessToken, refreshToken: old.refreshToken, accessTokenExpiresAt: Date.now() - 60_000 });
    await page.reload();
    await page.getByRole("table", { name: "Saved designs" }).waitFor({ timeout: DEADLINE_MS });
    assert.equal(refreshes, 1, "the spent refresh token was not presented again");
    const now = await session();
    assert.ok(now?.user, "still signed in");
    assert.equal(now.refreshToken, fresh.refreshToken, "the tokens the refresh got");
    await api(UserService, now.accessToken).getProfile({}); // the session is alive
  } finally {
    page.off("response", watch);
  }
});

test("an admin sees charts whose numbers equal GetDailyStats", async () => {
  assert.ok(paidOrder, "the checkout test paid an order");
  const admin = { email: `${RUN}-admin@example.com`, name: "Shop admin" };
  await api(UserService).register({ email: admin.email, password: PASSWORD, displayName: admin.name });
  grantAdmin(stack, admin.email);

  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("button", { name: "Sign out" }).click();
  await nav.getByRole("link", { name: "Sign in" }).waitFor({ timeout: DEADLINE_MS });
  await page.goto(`${stack.web}/signin`);
  await page.fill("#email", admin.email);
  await page.fill("#password", PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await nav.getByRole("link", { name: "Admin" }).waitFor({ timeout: DEADLINE_MS });
  const token = (await session()).accessToken;

  // The analytics are built from events: wait until the payment counts.
  await page.goto(`${stack.web}/admin`);
  const start = await page.inputValue("#start", { timeout: DEADLINE_MS });
  const end = await page.inputValue("#end");
  const today = new Date().toISOString().slice(0, 10);
  const stats = () => api(AnalyticsService, token).getDailyStats({ range: { startDate: start, endDate: end } });
  await until("the payment in the analytics", async () => {
    const day = (await stats()).days.find((d) => d.date === today);
    return day && day.ordersPaid >= 1n && day.revenueCents >= BigInt(paidOrder.totalCents);
  });
  await page.reload();
  const table = page.locator("[data-testid=daily-stats]");
  await table.waitFor({ state: "attached", timeout: DEADLINE_MS });
  const { days } = await stats();
  assert.ok(days.length > 0);

  // The table: every figure of every day.
  const shown = await table.locator("tbody tr").evaluateAll((rows) =>
    rows.map((r) => ({
      date: r.getAttribute("data-date"),
      values: Object.fromEntries([...r.querySelectorAll("td")].map((td) => [td.dataset.metric, Number(td.dataset.value)])),
    })),
  );
  assert.deepEqual(
    shown,
    days.map((d) => ({
      date: d.date,
      values: {
        ordersCreated: Number(d.ordersCreated), ordersPaid: Number(d.ordersPaid), ordersCancelled: Number(d.ordersCancelled),
        ordersRefunded: Number(d.ordersRefunded), revenueCents: Number(d.revenueCents), designsCreated: Number(d.designsCreated),
        designsDeleted: Number(d.designsDeleted), usersRegistered: Number(d.usersRegistered),
      },
    })),
  );

  // The charts: the numbers written on the bars and points, in day order.
  const labels = (chart, series) =>
    page.locator(`[data-testid=${chart}] .value-${series}`).evaluateAll((els) =>
      els.flatMap((e) => (e.tagName === "text" ? [e] : [...e.querySelectorAll("text")])).map((t) => t.textContent).filter(Boolean),
    );
  const nonZero = (key, fmt = String) => days.filter((d) => d[key] !== 0n).map((d) => fmt(d[key]));
  await until("the chart labels", async () => (await labels("chart-orders", "ordersPaid")).length > 0);
  assert.deepEqual(await labels("chart-orders", "ordersPaid"), nonZero("ordersPaid"));
  assert.deepEqual(await labels("chart-orders", "ordersCreated"), nonZero("ordersCreated"));
  assert.deepEqual(await labels("chart-revenue", "revenueCents"), nonZero("revenueCents", (c) => cents(Number(c))));
  assert.deepEqual(await labels("chart-designs", "designsCreated"), nonZero("designsCreated"));
  assert.deepEqual(await labels("chart-designs", "usersRegistered"), nonZero("usersRegistered"));
  const total = days.reduce((n, d) => n + d.revenueCents, 0n);
  assert.equal(await page.locator('[data-testid=stats-totals] [data-metric="revenueCents"]').getAttribute("data-value"), String(total));
  await screenshot(page, "admin-charts");

  // The queue: the paid order, moved into production.
  const row = page.locator(`tr[data-order-id="${paidOrder.id}"]`);
  await row.waitFor({ timeout: DEADLINE_MS });
  await row.getByRole("button", { name: "Start production" }).click();
  await until("the move", async () => (await api(OrderService, token).adminGetOrder({ id: paidOrder.id })).order.status === OrderStatus.IN_PRODUCTION);
  await until("the queue to show it", async () => (await row.locator("[data-testid=order-status]").getAttribute("data-status", { timeout: 500 })) === "IN_PRODUCTION");
  await screenshot(page, "admin-queue");

  // The extraction advice: the table GetExtractionAdvice answers, every
  // module a row; the builder (every price the tests asked for) has calls.
  const advice = page.locator("tr[data-module]");
  await until("the advice table", async () => (await advice.count()) === 5);
  const builderCalls = Number(await page.locator('tr[data-module="builder"]').getAttribute("data-calls"));
  assert.ok(builderCalls > 0, `the builder's row shows ${builderCalls} calls`);
  const answer = await api(AnalyticsService, token).getExtractionAdvice({});
  assert.deepEqual(
    (await advice.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-module")))).sort(),
    answer.modules.map((m) => m.module).sort(),
  );
  assert.ok((await page.getByTestId("advice").textContent()).length > 0);
});

