// Orders from both sides, at a desktop and a phone width, against a fresh
// platform: a customer checks out (a country list, the receipt's e-mail),
// a declined card shows one error and stays in the history, paying lands on
// the confirmation page; an admin opens the order from the queue ("Order
// #N", no overflow on a phone), sees what to make and the payment's
// attempts, and moves it; a session made admin after signing in is asked
// to sign in again; an unknown order says so at once; the charts are legible.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { createClient, createTransport } from "@harnesshero/client";
import { Color, Hardware, Material, Size, Style } from "@harnesshero/client/catalog";
import { DesignService } from "@harnesshero/client/designs";
import { OrderService, OrderStatus } from "@harnesshero/client/orders";
import { UserService } from "@harnesshero/client/users";

import { DEADLINE_MS, RUN, VIEWPORTS, grantAdmin, launchBrowser, logOf, newPage, screenshot, sessionOf, startStack, stopAll, until, putCart } from "./support.mjs";

const PASSWORD = "correct horse battery staple";
let stack;
let browser;
const admin = { email: `${RUN}-orders-admin@example.com`, name: "Orders admin" };
const paid = {}; // viewport name -> { id, designId }

const client = (service, token) => createClient(service, createTransport({ baseUrl: stack.api, ...(token ? { token } : {}) }));

async function signIn(page, who) {
  await page.goto(`${stack.web}/signin`);
  await page.fill("#email", who.email);
  await page.fill("#password", PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("[data-testid=signed-in-as]", { hasText: who.name }).waitFor({ timeout: DEADLINE_MS });
}

/** A new customer with one saved design; returns { email, name, token, designId }. */
async function customerWithDesign(tag) {
  const who = { email: `${RUN}-${tag}@example.com`, name: `Cust ${tag}` };
  const { session } = await client(UserService).register({ email: who.email, password: PASSWORD, displayName: who.name });
  const design = { style: Style.VEST, size: Size.M, material: Material.PADDED_MESH, hardware: Hardware.ALUMINUM, webbingColor: Color.TEAL, leash: { lengthMm: 1200 } };
  const saved = await client(DesignService, session.accessToken).createDesign({ name: `Vest ${tag}`, design, idempotencyKey: `${RUN}-${tag}` });
  return { ...who, token: session.accessToken, designId: saved.design.id };
}

/** Whether the page scrolls sideways (its content wider than the screen). */
const overflows = (page) => page.evaluate(() => document.scrollingElement.scrollWidth > window.innerWidth + 1);

before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  await client(UserService).register({ email: admin.email, password: PASSWORD, displayName: admin.name });
  grantAdmin(stack, admin.email);
});

after(async () => {
  await browser?.close();
  if (process.exitCode && stack) console.error(`--- harness ---\n${logOf(stack.server)}\n--- next ---\n${logOf(stack.next)}`);
  await stopAll();
});

for (const v of VIEWPORTS) {
  test(`${v.name}: checkout with a country list and the receipt's e-mail; a decline is one error and in the history; paying confirms`, async () => {
    const who = await customerWithDesign(`checkout-${v.name}`);
    const { context, page, errors } = await newPage(browser, v);
    try {
      await signIn(page, who);
      await putCart(page, [{ designId: who.designId, quantity: 1 }]);
      await page.goto(`${stack.web}/cart`);
      await page.locator("[data-testid=cart-total]").waitFor({ timeout: DEADLINE_MS });
      // The country: a list of every ISO 3166-1 alpha-2 code, by name.
      const country = page.getByLabel("Country", { exact: true });
      assert.equal(await country.evaluate((el) => el.tagName), "SELECT");
      assert.equal(await country.locator("option").count(), 249);
      assert.equal(await country.inputValue(), "US");
      await country.selectOption({ label: "Germany" });
      assert.equal(await country.inputValue(), "DE");
      assert.equal(await page.getByTestId("receipt-email").textContent(), who.email, "the receipt goes to the account's e-mail");
      await page.fill("#addr-name", "Kim Barker");
      await page.fill("#addr-line1", "Hundeweg 1");
      await page.fill("#addr-city", "Berlin");
      await page.fill("#addr-postalCode", "10115");
      await page.getByRole("button", { name: "Place order" }).click();
      await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/, { timeout: DEADLINE_MS });
      const id = page.url().split("/").pop();
      const { order } = await client(OrderService, who.token).getOrder({ id });
      assert.equal(order.shippingAddress.countryCode, "DE");
      assert.equal(await page.getByTestId("order-number").textContent(), `Order #${order.number}`);
      assert.match(await page.getByTestId("ship-to").textContent(), /Germany/);

      // A declined card: one message, an error, and the decline in the history.
      await page.fill("#card", "4000 0000 0000 0002");
      await page.getByRole("button", { name: /with test card/ }).click();
      const pay = page.locator("section", { has: page.locator("#pay-heading") });
      await until("the decline with its reason", async () => /declined: .+/.test((await pay.getByTestId("payment-failure").textContent({ timeout: 500 })) ?? ""));
      assert.equal(await pay.locator(".notice").count(), 0, "no success-styled message");
      assert.equal(await pay.locator(".alert").count(), 1, "one message for the attempt");
      assert.equal(await pay.getByTestId("payment-failure").getAttribute("class"), "alert");
      await page.locator("[data-testid=history] li[data-kind=declined]").waitFor({ timeout: DEADLINE_MS });
      assert.match(await page.locator("[data-testid=history] li[data-kind=declined]").textContent(), /Payment declined: .+/);
      await screenshot(page, `${v.name}-declined-once`);

      // Paying leads to the confirmation: number, picture, total, status (live), the receipt's e-mail.
      await page.fill("#card", "4242 4242 4242 4242");
      await page.getByRole("button", { name: /with test card/ }).click();
      await page.waitForURL(`${stack.web}/orders/${id}/confirmation`, { timeout: DEADLINE_MS });
      await page.getByTestId(`picture-confirmed-${who.designId}`).waitFor({ timeout: DEADLINE_MS });
      assert.equal(await page.getByTestId("confirmation-number").textContent(), `Order #${order.number}`);
      assert.equal(await page.getByTestId("confirmation-total").getAttribute("data-cents"), String(order.totalCents));
      assert.equal(await page.getByTestId("receipt-email").textContent(), who.email);
      await until("the confirmation to show PAID", async () => (await page.getByTestId("order-status").getAttribute("data-status", { timeout: 500 })) === "PAID");
      assert.ok(!(await overflows(page)), "the confirmation fits the screen");
      await screenshot(page, `${v.name}-confirmation`);
      const after = (await client(OrderService, who.token).getOrder({ id })).order;
      assert.equal(after.payment.failureReason, "", "a paid order carries no earlier decline");
      paid[v.name] = { id, designId: who.designId, number: order.number };
      assert.deepEqual(errors, [], "no page error");
    } finally {
      await context.close();
    }
  });

  test(`${v.name}: the admin opens the order from the queue, sees what to make and the payment's attempts, and moves it`, async () => {
    const order = paid[v.name];
    assert.ok(order, "the checkout test paid an order");
    const { context, page, errors } = await newPage(browser, v);
    try {
      await signIn(page, admin);
      await page.goto(`${stack.web}/admin`);
      const row = page.locator(`tr[data-order-id="${order.id}"]`);
      await row.waitFor({ timeout: DEADLINE_MS });
      const link = row.getByRole("link", { name: `Order #${order.number}` });
      assert.equal(await link.getAttribute("href"), `/admin/orders/${order.id}`);
      assert.ok(!(await overflows(page)), "the admin page, queue included, does not overflow");
      const table = page.getByRole("table", { name: "Order queue" });
      assert.ok(await table.evaluate((t) => t.scrollWidth <= t.parentElement.clientWidth + 1), "the queue fits its box");
      // The charts: legend words readable (contrast ≥ 4.5:1), bars wider than hairlines, value labels inside the chart.
      await page.locator("[data-testid=chart-orders] .recharts-legend-item-text").first().waitFor({ timeout: DEADLINE_MS });
      const contrast = await page.evaluate(() => {
        const lum = (c) => {
          const [r, g, b] = c.match(/\d+/g).slice(0, 3).map((x) => Number(x) / 255).map((x) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4));
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        // The colour each legend word is drawn in: its text node's element.
        const texts = [];
        for (const box of document.querySelectorAll(".recharts-legend-wrapper")) {
          const walk = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
          while (walk.nextNode()) if (walk.currentNode.textContent.trim()) texts.push(walk.currentNode.parentElement);
        }
        return texts.map((el) => (lum("rgb(255,255,255)") + 0.05) / (lum(getComputedStyle(el).color) + 0.05));
      });
      assert.ok(contrast.length > 0 && contrast.every((c) => c >= 4.5), `legend contrast ${contrast.map((c) => c.toFixed(2)).join(", ")}`);
      await until("a bar", async () => (await page.locator("[data-testid=chart-orders] .recharts-bar-rectangle path").count()) > 0);
      const widths = await page.locator("[data-testid=chart-orders] .recharts-bar-rectangle path").evaluateAll((ps) => ps.map((p) => p.getBBox().width));
      assert.ok(widths.every((w) => w >= 6), `bars ${widths.map((w) => w.toFixed(1)).join(", ")} px wide`);
      // The analytics count the payment from its event, a moment later: read the page again until they do.
      await until("the revenue label", async () => {
        const labels = page.locator("[data-testid=chart-revenue] text.value-revenueCents, [data-testid=chart-revenue] .value-revenueCents text", { hasText: "$" });
        if ((await labels.count()) > 0) return true;
        await page.reload();
        await page.locator("[data-testid=chart-revenue] svg").waitFor({ timeout: DEADLINE_MS });
        return (await labels.count()) > 0;
      });
      const clipped = await page.locator("[data-testid=chart-revenue]").evaluate((box) => {
        const svg = box.querySelector("svg.recharts-surface").getBoundingClientRect();
        return [...box.querySelectorAll("text.value-revenueCents, .value-revenueCents text")].filter((t) => t.textContent).map((t) => t.getBoundingClientRect())
          .filter((r) => r.left < svg.left - 0.5 || r.right > svg.right + 0.5 || r.top < svg.top - 0.5 || r.bottom > svg.bottom + 0.5).length;
      });
      assert.equal(clipped, 0, "no revenue label is cut off");
      await screenshot(page, `${v.name}-admin-queue`);

      await link.click();
      await page.waitForURL(`${stack.web}/admin/orders/${order.id}`, { timeout: DEADLINE_MS });
      await page.getByTestId(`picture-admin-line-${order.designId}`).waitFor({ timeout: DEADLINE_MS });
      assert.equal(await page.getByTestId("order-number").textContent(), `Order #${order.number}`);
      assert.match(await page.getByTestId("ship-to").textContent(), /Kim Barker.*Hundeweg 1.*Germany/);
      assert.match(await page.getByTestId("payment-attempts").textContent(), /^2, declined 1/);
      assert.match(await page.locator("[data-testid=history] li[data-kind=declined]").textContent(), /Payment declined: .+payment-provider/);
      assert.equal(await page.getByTestId("order-status").getAttribute("data-status"), "PAID");
      assert.ok(!(await overflows(page)), "the admin's order page fits the screen");
      await screenshot(page, `${v.name}-admin-order`);

      // The moves the order allows: into production, then a refund (confirmed, naming the order).
      await page.getByRole("button", { name: "Start production" }).click();
      await until("IN_PRODUCTION", async () => (await page.getByTestId("order-status").getAttribute("data-status", { timeout: 500 })) === "IN_PRODUCTION");
      let asked = "";
      page.once("dialog", (d) => {
        asked = d.message();
        void d.accept();
      });
      await page.getByRole("button", { name: "Refund" }).click();
      await until("REFUNDED", async () => (await page.getByTestId("order-status").getAttribute("data-status", { timeout: 500 })) === "REFUNDED");
      assert.match(asked, new RegExp(`for Order #${order.number}\\?$`));
      const token = (await sessionOf(page)).accessToken;
      assert.equal((await client(OrderService, token).adminGetOrder({ id: order.id })).order.status, OrderStatus.REFUNDED);
      assert.equal(await page.getByRole("button", { name: "Refund" }).count(), 0, "no move left but what the order allows");
      assert.deepEqual(errors, [], "no page error");
    } finally {
      await context.close();
    }
  });

  test(`${v.name}: a session made admin after signing in is asked to sign in again`, async () => {
    const who = { email: `${RUN}-promoted-${v.name}@example.com`, name: `Promoted ${v.name}` };
    await client(UserService).register({ email: who.email, password: PASSWORD, displayName: who.name });
    const { context, page, errors } = await newPage(browser, v);
    try {
      await signIn(page, who);
      grantAdmin(stack, who.email);
      await page.goto(`${stack.web}/admin`);
      await page.getByTestId("role-changed").waitFor({ timeout: DEADLINE_MS });
      assert.equal(await page.getByTestId("role-changed").textContent(), "Your role changed: sign in again. Sign in");
      const body = await page.locator("main").textContent();
      assert.ok(!/admins only|No orders/i.test(body), "no refusals or empty queue next to it");
      await screenshot(page, `${v.name}-role-changed`);
      await page.getByTestId("role-changed").getByRole("link", { name: "Sign in" }).click();
      await page.waitForURL(/\/signin\?next=%2Fadmin$/, { timeout: DEADLINE_MS });
      await page.fill("#email", who.email);
      await page.fill("#password", PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${stack.web}/admin`, { timeout: DEADLINE_MS });
      await page.getByRole("heading", { name: "Order queue" }).waitFor({ timeout: DEADLINE_MS });
      assert.equal(await page.getByTestId("role-changed").count(), 0);
      assert.deepEqual(errors, [], "no page error");
    } finally {
      await context.close();
    }
  });

  test(`${v.name}: an unknown order says "not found" at once, for the customer and the admin`, async () => {
    const { context, page, errors } = await newPage(browser, v);
    try {
      await signIn(page, admin);
      for (const path of ["/orders/00000000-0000-4000-8000-000000000000", "/orders/not-an-id", "/admin/orders/00000000-0000-4000-8000-000000000000"]) {
        const started = Date.now();
        await page.goto(`${stack.web}${path}`);
        await page.getByTestId("order-not-found").waitFor({ timeout: DEADLINE_MS });
        const took = Date.now() - started;
        assert.ok(took < 5000, `${path}: "not found" after ${took} ms`);
      }
      assert.deepEqual(errors, [], "no page error");
    } finally {
      await context.close();
    }
  });
}
