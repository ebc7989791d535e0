// A cart before an account, at a desktop and a phone width, against a fresh
// platform: a guest adds the design in progress from the builder (the
// phone's price bar on a phone); the cart holds the design itself, in the
// browser, priced by QuoteCart with its picture; quantities out of 1..10 are
// refused with a message, not clamped; signing up on the checkout step keeps
// the cart, saves its designs (once, whatever a lost answer or a second tab
// does) and the order is placed; a user's cart is theirs, not the browser's.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { fromBinary } from "@bufbuild/protobuf";
import { base64Decode } from "@bufbuild/protobuf/wire";
import { createClient, createTransport } from "@harnesshero/client";
import { CatalogService, Color, DesignSchema, Hardware, Material, Size, Style } from "@harnesshero/client/catalog";
import { DesignService } from "@harnesshero/client/designs";
import { OrderService } from "@harnesshero/client/orders";
import { UserService } from "@harnesshero/client/users";

import { DEADLINE_MS, RUN, VIEWPORTS, launchBrowser, logOf, newPage, putCart, screenshot, sessionOf, startStack, stopAll, until } from "./support.mjs";

const PASSWORD = "correct horse battery staple";
let stack;
let browser;

const client = (service, token) => createClient(service, createTransport({ baseUrl: stack.api, ...(token ? { token } : {}) }));

before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (process.exitCode && stack) console.error(`--- harness ---\n${logOf(stack.server)}\n--- next ---\n${logOf(stack.next)}`);
  await stopAll();
});

/** Every cart stored in the page's localStorage, by key. */
const storedCarts = (page) =>
  page.evaluate(() => Object.fromEntries(Object.keys(localStorage).filter((k) => k.startsWith("harness.cart")).map((k) => [k, JSON.parse(localStorage.getItem(k))])));


/** The API calls a page makes ("Service/Method"). */
function recordCalls(page) {
  const calls = [];
  page.on("request", (r) => {
    const m = new URL(r.url()).pathname.match(/^\/api\/rpc\/harness\.[\w.]+\.(\w+)\/(\w+)$/);
    if (m) calls.push(`${m[1]}/${m[2]}`);
  });
  return calls;
}

/** On the builder, adds the design in progress as a guest: from the phone's bar on a phone, from the side card on a desktop. */
async function addFromBuilder(page, v) {
  const button =
    v.name === "phone"
      ? page.getByTestId("price-bar").getByRole("button", { name: "Add to cart" })
      : page.locator("section[aria-labelledby=save-heading]").getByRole("button", { name: "Add to cart" });
  await button.click();
}

async function designInProgress(page, v, quantity) {
  await page.goto(`${stack.web}/`);
  await page.locator("[data-testid=line-total]").waitFor({ timeout: DEADLINE_MS });
  await page.check(`input[name=style][value="${Style.VEST}"]`);
  await page.fill("#quantity", String(quantity));
  await until("the new price", async () => (await page.locator(v.name === "phone" ? "[data-testid=bar-total]" : "[data-testid=line-total]").count()) === 1);
}

async function registerAtCheckout(page, who) {
  await page.getByRole("heading", { name: "Create your account" }).waitFor({ timeout: DEADLINE_MS });
  await page.fill("#displayName", who.name);
  await page.fill("#email", who.email);
  await page.fill("#password", PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.locator("[data-testid=signed-in-as]", { hasText: who.name }).waitFor({ timeout: DEADLINE_MS });
}

async function signIn(page, who) {
  await page.goto(`${stack.web}/signin`);
  await page.fill("#email", who.email);
  await page.fill("#password", PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("[data-testid=signed-in-as]", { hasText: who.name }).waitFor({ timeout: DEADLINE_MS });
}

async function signOut(page) {
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("button", { name: "Sign out" }).click();
  await nav.getByRole("link", { name: "Sign in" }).waitFor({ timeout: DEADLINE_MS });
}

const totalOf = (page) => page.locator("[data-testid=cart-total]").getAttribute("data-cents", { timeout: 500 });

for (const v of VIEWPORTS) {
  test(`${v.name}: a guest adds the design in progress, the cart prices it with QuoteCart, quantities are refused out of 1..10, signing up at checkout saves it and the order is placed`, async () => {
    const { context, page, errors } = await newPage(browser, v);
    const calls = recordCalls(page);
    const who = { email: `${RUN}-guest-${v.name}@example.com`, name: `Guest ${v.name}` };
    try {
      await designInProgress(page, v, 2);
      await addFromBuilder(page, v);
      await page.getByText("Added to your cart.").waitFor({ timeout: DEADLINE_MS });
      let carts = await storedCarts(page);
      assert.deepEqual(Object.keys(carts), ["harness.cart.guest"], "a guest's cart, apart");
      const [line] = carts["harness.cart.guest"];
      assert.equal(line.quantity, 2);
      assert.equal(line.designId, undefined, "the design itself, no saved id");
      const design = fromBinary(DesignSchema, base64Decode(line.design));
      assert.equal(design.style, Style.VEST);
      assert.equal(await page.getByRole("navigation", { name: "Main" }).locator(".badge").textContent(), "2");

      // More of the same design than an order takes: refused with the reason, not clamped.
      await page.fill("#quantity", "9");
      await addFromBuilder(page, v);
      await page.getByText("Your cart has 2 of this design already; an order takes at most 10 of one design.").first().waitFor({ timeout: DEADLINE_MS });
      assert.equal((await storedCarts(page))["harness.cart.guest"][0].quantity, 2, "the cart is unchanged");

      // The cart page: the picture, priced by QuoteCart with the design inline.
      await page.goto(`${stack.web}/cart`);
      await page.getByTestId(`picture-cart-${line.lineId}`).waitFor({ timeout: DEADLINE_MS });
      const quote2 = await client(CatalogService).quoteCart({ lines: [{ design, quantity: 2 }] });
      await until("the cart's total", async () => (await totalOf(page)) === String(quote2.totalCents));
      assert.equal(await page.locator("[data-testid=cart-line-total]").getAttribute("data-cents"), String(quote2.lines[0].totalCents));

      // Quantities: 11 and 0 are refused with a message by the field, the cart keeps 2; 3 is taken.
      const qty = page.locator(`#qty-${line.lineId}`);
      for (const bad of ["11", "0"]) {
        await qty.fill(bad);
        const message = page.locator(`[data-field="qty-${line.lineId}"]`);
        await until(`the message for ${bad}`, async () => (await message.textContent({ timeout: 500 })) === "Choose a quantity from 1 to 10. Your cart keeps 2.");
        assert.equal(await qty.getAttribute("aria-invalid"), "true");
        assert.equal(await qty.inputValue(), bad, "the typed value stays to be fixed, not replaced");
        assert.equal((await storedCarts(page))["harness.cart.guest"][0].quantity, 2, `${bad} is not stored`);
        assert.equal(await totalOf(page), String(quote2.totalCents));
      }
      await qty.fill("3");
      const quote3 = await client(CatalogService).quoteCart({ lines: [{ design, quantity: 3 }] });
      await until("the total for 3", async () => (await totalOf(page)) === String(quote3.totalCents));
      assert.equal(await page.locator(`[data-field="qty-${line.lineId}"]`).count(), 0);
      assert.equal((await storedCarts(page))["harness.cart.guest"][0].quantity, 3);
      assert.ok(calls.includes("CatalogService/QuoteCart"));
      assert.ok(!calls.some((c) => c.startsWith("DesignService/") || c.startsWith("OrderService/")), `a guest's cart asks only the catalog: ${calls.join(", ")}`);
      await screenshot(page, `${v.name}-guest-cart`);

      // Checkout: sign up right here; the cart stays, its design is saved, the order goes on.
      await registerAtCheckout(page, who);
      assert.equal(page.url(), `${stack.web}/cart`, "still on the checkout step");
      const session = await sessionOf(page);
      const userKey = `harness.cart.user.${session.user.id}`;
      await until("the line saved by id", async () => (await storedCarts(page))[userKey]?.[0]?.designId);
      carts = await storedCarts(page);
      assert.deepEqual(Object.keys(carts), [userKey], "the guest's cart became the user's");
      const savedLine = carts[userKey][0];
      assert.equal(savedLine.lineId, line.lineId);
      assert.equal(savedLine.quantity, 3);
      assert.equal(savedLine.design, undefined);
      const { designs } = await client(DesignService, session.accessToken).listDesigns({ pageSize: 20 });
      assert.equal(designs.length, 1, "saved once");
      assert.equal(designs[0].id, savedLine.designId);
      assert.equal(designs[0].design.style, Style.VEST);
      assert.equal(calls.filter((c) => c === "DesignService/CreateDesign").length, 1);
      await page.getByTestId(`picture-cart-${savedLine.designId}`).waitFor({ timeout: DEADLINE_MS });
      await until("the total after saving", async () => (await totalOf(page)) === String(quote3.totalCents));
      assert.equal(await page.getByTestId("receipt-email").textContent(), who.email);
      await page.fill("#addr-name", "Kim Barker");
      await page.fill("#addr-line1", "1 Kennel Lane");
      await page.fill("#addr-city", "Portland");
      await page.fill("#addr-postalCode", "97201");
      await page.getByRole("button", { name: "Place order" }).click();
      await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/, { timeout: DEADLINE_MS });
      const { order } = await client(OrderService, session.accessToken).getOrder({ id: page.url().split("/").pop() });
      assert.deepEqual(
        order.lines.map((l) => [l.designId, l.quote.quantity]),
        [[savedLine.designId, 3]],
      );
      assert.equal(order.totalCents, quote3.totalCents);
      assert.deepEqual(await storedCarts(page), {}, "the cart is empty after the order");
      assert.deepEqual(errors, [], "no page error");
    } finally {
      await context.close();
    }
  });

  test(`${v.name}: a user's cart is theirs: signing out hides it, the next person does not see it, signing in again brings it back`, async () => {
    const { context, page, errors } = await newPage(browser, v);
    const a = { email: `${RUN}-owner-${v.name}@example.com`, name: `Owner ${v.name}` };
    const b = { email: `${RUN}-next-${v.name}@example.com`, name: `Next ${v.name}` };
    try {
      const { session } = await client(UserService).register({ email: a.email, password: PASSWORD, displayName: a.name });
      const design = { style: Style.STEP_IN, size: Size.S, material: Material.NYLON, hardware: Hardware.PLASTIC, webbingColor: Color.BLACK };
      const saved = await client(DesignService, session.accessToken).createDesign({ name: "Mine", design, idempotencyKey: `${RUN}-owner-${v.name}` });
      const id = saved.design.id;
      await signIn(page, a);
      await putCart(page, [{ designId: id, quantity: 4 }]);
      await page.goto(`${stack.web}/cart`);
      await page.getByTestId(`picture-cart-${id}`).waitFor({ timeout: DEADLINE_MS });
      assert.equal(await page.getByRole("navigation", { name: "Main" }).locator(".badge").textContent(), "4");

      await signOut(page);
      await page.goto(`${stack.web}/cart`);
      await page.getByText("Your cart is empty.").waitFor({ timeout: DEADLINE_MS });
      assert.equal(await page.locator(".badge").count(), 0, "no count for a guest");
      assert.equal(await page.locator(`[data-cart-line="${id}"]`).count(), 0);

      // The next person on this browser.
      await page.goto(`${stack.web}/register`);
      await page.fill("#displayName", b.name);
      await page.fill("#email", b.email);
      await page.fill("#password", PASSWORD);
      await page.getByRole("button", { name: "Create account" }).click();
      await page.locator("[data-testid=signed-in-as]", { hasText: b.name }).waitFor({ timeout: DEADLINE_MS });
      await page.goto(`${stack.web}/cart`);
      await page.getByText("Your cart is empty.").waitFor({ timeout: DEADLINE_MS });
      assert.equal(await page.locator(".badge").count(), 0);
      await signOut(page);

      await signIn(page, a);
      await page.goto(`${stack.web}/cart`);
      await page.getByTestId(`picture-cart-${id}`).waitFor({ timeout: DEADLINE_MS });
      assert.equal(await page.locator(`#qty-e2e-0`).inputValue(), "4", "the owner's cart is back");
      assert.deepEqual(errors, [], "no page error");
    } finally {
      await context.close();
    }
  });
}

test("desktop: a lost answer retried saves the design once", async () => {
  const v = VIEWPORTS[0];
  const { context, page, errors } = await newPage(browser, v);
  const who = { email: `${RUN}-retry@example.com`, name: "Retry" };
  try {
    await designInProgress(page, v, 1);
    await addFromBuilder(page, v);
    await page.getByText("Added to your cart.").waitFor({ timeout: DEADLINE_MS });
    await page.goto(`${stack.web}/cart`);
    await page.locator("[data-testid=cart-total]").waitFor({ timeout: DEADLINE_MS });
    // The first CreateDesign reaches the server, which saves; its answer is lost.
    const keys = [];
    await context.route("**/harness.builder.v1.DesignService/CreateDesign", async (route) => {
      keys.push(route.request().postData() ?? "");
      if (keys.length === 1) {
        await route.fetch();
        await route.abort("connectionreset");
      } else {
        await route.continue();
      }
    });
    await registerAtCheckout(page, who);
    const retry = page.getByTestId("cart-saving").getByRole("button", { name: "Try again" });
    await retry.waitFor({ timeout: DEADLINE_MS });
    assert.match(await page.getByTestId("cart-saving").textContent(), /Your designs could not be saved/);
    assert.ok(await page.getByRole("button", { name: "Place order" }).isDisabled(), "no order while a design is unsaved");
    await retry.click();
    const session = await sessionOf(page);
    const userKey = `harness.cart.user.${session.user.id}`;
    await until("the line saved by id", async () => (await storedCarts(page))[userKey]?.[0]?.designId);
    assert.equal(keys.length, 2);
    assert.equal(keys[0], keys[1], "the retry is the same request, its key included");
    const { designs } = await client(DesignService, session.accessToken).listDesigns({ pageSize: 20 });
    assert.equal(designs.length, 1, "saved once");
    assert.equal(designs[0].id, (await storedCarts(page))[userKey][0].designId);
    await until("Place order enabled", async () => page.getByRole("button", { name: "Place order" }).isEnabled());
    assert.deepEqual(errors, [], "no page error");
  } finally {
    await context.close();
  }
});

test("desktop: two tabs saving the same cart at once save each design once", async () => {
  const v = VIEWPORTS[0];
  const { context, page, errors } = await newPage(browser, v);
  const who = { email: `${RUN}-tabs@example.com`, name: "Two tabs" };
  try {
    await designInProgress(page, v, 1);
    await addFromBuilder(page, v);
    await page.getByText("Added to your cart.").waitFor({ timeout: DEADLINE_MS });
    await page.goto(`${stack.web}/cart`);
    const other = await context.newPage();
    other.on("pageerror", (err) => errors.push(err.message));
    await other.goto(`${stack.web}/cart`);
    await other.locator("[data-testid=cart-total]").waitFor({ timeout: DEADLINE_MS });
    // Both tabs' CreateDesign are held until both are sent, then go together.
    const seen = [];
    let bothSent;
    const both = new Promise((resolve) => {
      bothSent = resolve;
    });
    await context.route("**/harness.builder.v1.DesignService/CreateDesign", async (route) => {
      seen.push(route.request().frame().page() === page ? "first" : "second");
      if (seen.length === 2) bothSent();
      await Promise.race([both, new Promise((r) => setTimeout(r, DEADLINE_MS))]);
      await route.continue();
    });
    await registerAtCheckout(page, who);
    const session = await sessionOf(page);
    const userKey = `harness.cart.user.${session.user.id}`;
    await until("the line saved by id", async () => (await storedCarts(page))[userKey]?.[0]?.designId);
    const designId = (await storedCarts(page))[userKey][0].designId;
    for (const p of [page, other]) await p.getByTestId(`picture-cart-${designId}`).waitFor({ timeout: DEADLINE_MS });
    assert.deepEqual([...seen].sort(), ["first", "second"], "each tab sent its save");
    const { designs } = await client(DesignService, session.accessToken).listDesigns({ pageSize: 20 });
    assert.deepEqual(
      designs.map((d) => d.id),
      [designId],
      "one design saved",
    );
    for (const p of [page, other]) await until("Place order enabled", async () => p.getByRole("button", { name: "Place order" }).isEnabled());
    assert.deepEqual(errors, [], "no page error");
  } finally {
    await context.close();
  }
});
