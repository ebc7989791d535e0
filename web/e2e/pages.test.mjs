// Every page of the shop (the order's confirmation and the admin's order page
// included), at a desktop and a phone width, against a fresh
// platform with a customer's saved design, cart and order, and an admin:
// the design's picture is on each page that shows a design, an axe-core scan
// (injected into the same Chromium) finds no serious or critical violation,
// and no page throws.

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";

import { createClient, createTransport } from "@harnesshero/client";
import { Color, Hardware, Material, Size, Style } from "@harnesshero/client/catalog";
import { DesignService } from "@harnesshero/client/designs";
import { OrderService } from "@harnesshero/client/orders";
import { UserService } from "@harnesshero/client/users";

import { DEADLINE_MS, RUN, VIEWPORTS, grantAdmin, launchBrowser, logOf, newPage, screenshot, startStack, stopAll, putCart } from "./support.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const PASSWORD = "correct horse battery staple";

let stack;
let browser;
const customer = { email: `${RUN}-pages@example.com`, name: "Pat" };
const admin = { email: `${RUN}-pages-admin@example.com`, name: "Pages admin" };
let designId;
let orderId;

const client = (service, token) => createClient(service, createTransport({ baseUrl: stack.api, ...(token ? { token } : {}) }));

/** Runs axe-core in the page; returns the serious and critical violations, described. */
async function axeProblems(page) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ["violations"] })).violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  })));
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

async function signIn(page, who) {
  await page.goto(`${stack.web}/signin`);
  await page.fill("#email", who.email);
  await page.fill("#password", PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("[data-testid=signed-in-as]", { hasText: who.name }).waitFor({ timeout: DEADLINE_MS });
}

before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  // A customer with a saved design, and an order of it; an admin.
  const users = client(UserService);
  await users.register({ email: customer.email, password: PASSWORD, displayName: customer.name });
  await users.register({ email: admin.email, password: PASSWORD, displayName: admin.name });
  grantAdmin(stack, admin.email);
  const { session } = await users.signIn({ email: customer.email, password: PASSWORD });
  const design = {
    style: Style.NO_PULL, size: Size.L, material: Material.LEATHER, hardware: Hardware.STAINLESS, webbingColor: Color.BROWN,
    trimColor: Color.ORANGE, namePatch: { text: "Juno", threadColor: Color.YELLOW }, leash: { lengthMm: 1200 }, idTag: { engraving: "Call 555" },
  };
  const saved = await client(DesignService, session.accessToken).createDesign({ name: "Juno's", design, idempotencyKey: `${RUN}-pages-design` });
  designId = saved.design.id;
  const { order } = await client(OrderService, session.accessToken).createOrder({
    lines: [{ designId, quantity: 2 }],
    shippingAddress: { name: "Pat Barker", line1: "1 Kennel Lane", city: "Portland", region: "OR", postalCode: "97201", countryCode: "US" },
    idempotencyKey: `${RUN}-pages-order`,
  });
  orderId = order.id;
});

after(async () => {
  await browser?.close();
  if (process.exitCode && stack) console.error(`--- harness ---\n${logOf(stack.server)}\n--- next ---\n${logOf(stack.next)}`);
  await stopAll();
});

for (const v of VIEWPORTS) {
  test(`${v.name}: every page shows designs as pictures and has no serious accessibility violation`, async () => {
    const { context, page, errors } = await newPage(browser, v);
    // With the embedded payment provider no page may load Stripe.js (a
    // third party's script, and its cookies) — the cart and the order
    // pages bundle the Stripe payment form.
    const stripeRequests = [];
    page.on("request", (r) => {
      if (new URL(r.url()).hostname.endsWith("stripe.com")) stripeRequests.push(r.url());
    });
    const problems = [];
    const check = async (name, path, ready) => {
      if (path) await page.goto(`${stack.web}${path}`);
      await ready();
      for (const p of await axeProblems(page)) problems.push(`${name}: ${p.impact} ${p.id} (${p.help}) at ${p.targets.join(", ")}`);
      await screenshot(page, `${v.name}-${name}`);
    };
    const picture = (id) => page.getByTestId(`picture-${id}`).waitFor({ timeout: DEADLINE_MS });
    try {
      // Signed out.
      await check("builder", "/", () => page.getByTestId("picture-builder").waitFor({ timeout: DEADLINE_MS }));
      await page.locator("[data-testid=line-total]").waitFor({ timeout: DEADLINE_MS });
      await check("signin", "/signin", () => page.locator("#email").waitFor({ timeout: DEADLINE_MS }));
      await check("register", "/register", () => page.locator("#displayName").waitFor({ timeout: DEADLINE_MS }));
      await check("design-signed-out", `/?design=${designId}`, () => page.getByTestId("design-problem").waitFor({ timeout: DEADLINE_MS }));
      await check("not-found", "/no-such-page", () => page.getByText("Page not found").waitFor({ timeout: DEADLINE_MS }));
      // A guest's cart: the design in progress added from the builder, priced, and the checkout's sign-up.
      await page.goto(`${stack.web}/`);
      await page.locator("section[aria-labelledby=save-heading]").getByRole("button", { name: "Add to cart" }).click();
      await page.getByText("Added to your cart.").waitFor({ timeout: DEADLINE_MS });
      await check("cart-guest", "/cart", async () => {
        await page.locator("[data-testid^=picture-cart-]").first().waitFor({ timeout: DEADLINE_MS });
        await page.locator("[data-testid=cart-total]").waitFor({ timeout: DEADLINE_MS });
        await page.getByRole("heading", { name: "Create your account" }).waitFor({ timeout: DEADLINE_MS });
      });
      await page.locator("tr[data-cart-line] button", { hasText: "Remove" }).click();
      await page.getByText("Your cart is empty.").waitFor({ timeout: DEADLINE_MS });

      // The customer.
      await signIn(page, customer);
      await check("saved-design", `/?design=${designId}`, async () => {
        await page.getByTestId("picture-builder").waitFor({ timeout: DEADLINE_MS });
        assert.equal(await page.inputValue("#designName"), "Juno's");
        assert.equal(await page.getByTestId("picture-builder").getByTestId("patch-text").textContent(), "Juno");
      });
      await check("design-missing", "/?design=00000000-0000-4000-8000-000000000000", () => page.getByTestId("design-problem").waitFor({ timeout: DEADLINE_MS }));
      await check("designs", "/designs", () => picture(`design-${designId}`));
      assert.equal(await page.getByTestId(`picture-design-${designId}`).getAttribute("data-style"), "NO_PULL");
      await putCart(page, [{ designId, quantity: 2 }]);
      await check("cart", "/cart", async () => {
        await picture(`cart-${designId}`);
        await page.locator("[data-testid=cart-total]").waitFor({ timeout: DEADLINE_MS });
      });
      await check("orders", "/orders", () => picture(`order-${orderId}-${designId}`));
      await check("order", `/orders/${orderId}`, async () => {
        await picture(`line-${designId}`);
        await page.locator("[data-testid=order-status]").waitFor({ timeout: DEADLINE_MS });
      });
      assert.equal(await page.getByTestId(`picture-line-${designId}`).getAttribute("data-material"), "LEATHER");
      await check("confirmation", `/orders/${orderId}/confirmation`, async () => {
        await picture(`confirmed-${designId}`);
        await page.getByTestId("confirmation-number").waitFor({ timeout: DEADLINE_MS });
      });
      await check("order-not-found", "/orders/00000000-0000-4000-8000-000000000000", () => page.getByTestId("order-not-found").waitFor({ timeout: DEADLINE_MS }));
      await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" }).waitFor({ timeout: DEADLINE_MS });

      // The admin: the queue, with the orders awaiting payment shown too.
      await signIn(page, admin);
      await check("admin", "/admin", async () => {
        await page.locator("[data-testid=daily-stats]").waitFor({ state: "attached", timeout: DEADLINE_MS });
        await page.getByLabel("Awaiting payment").check();
        await picture(`queue-${orderId}-${designId}`);
      });
      await check("admin-order", `/admin/orders/${orderId}`, async () => {
        await picture(`admin-line-${designId}`);
        await page.getByTestId("admin-payment").waitFor({ timeout: DEADLINE_MS });
      });
      assert.deepEqual(problems, [], "no serious or critical accessibility violation");
      assert.deepEqual(errors, [], "no page error");
      assert.deepEqual(stripeRequests, [], "no request to Stripe with the embedded provider");
    } catch (err) {
      await screenshot(page, `${v.name}-FAILED`).catch(() => {});
      throw err;
    } finally {
      await context.close();
    }
  });
}
