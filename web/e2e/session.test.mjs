// The session out of reach of the page's scripts: the tokens live in
// httpOnly, SameSite=Strict cookies set by the app's own routes; the page's
// JS (document.cookie, localStorage) never holds one; every request to the
// app's routes must come from its own pages (the X-Harness-CSRF header, and
// Sec-Fetch-Site / Origin), so a cross-site form POST is refused 403;
// signing out ends the session on the API and clears the cookies.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";

import { Code, ConnectError, createClient, createTransport } from "@harnesshero/client";
import { Color, Hardware, Material, Size, Style } from "@harnesshero/client/catalog";
import { DesignService } from "@harnesshero/client/designs";
import { OrderService, OrderStatus } from "@harnesshero/client/orders";
import { UserService } from "@harnesshero/client/users";

import { DEADLINE_MS, RUN, freePort, launchBrowser, logOf, newPage, sessionOf, startStack, stopAll, until, VIEWPORTS } from "./support.mjs";

const PASSWORD = "correct horse battery staple";
let stack;
let browser;
let evil; // another site: http://localhost:<port> (127.0.0.1 is the shop's)
let evilUrl;

const api = (service, token) => createClient(service, createTransport({ baseUrl: stack.api, ...(token ? { token } : {}) }));

before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  const port = await freePort();
  evilUrl = `http://localhost:${port}`;
  evil = createServer((req, res) => {
    // Pages that post a form to the shop as soon as they load.
    const target = new URL(req.url, evilUrl).searchParams.get("target");
    res.setHeader("Content-Type", "text/html");
    if (target === null) return void res.end("<!doctype html><title>a page</title><p>nothing here");
    res.end(`<!doctype html><title>win a prize</title>
<form id=f method=post enctype=text/plain action="${stack.web}${target}"><input name='{"name":"pwned","design":{},"idempotencyKey":"x","a' value='":1}'></form>
<script>document.getElementById("f").submit()</script>`);
  });
  await new Promise((r) => evil.listen(port, "127.0.0.1", r));
});

after(async () => {
  await browser?.close();
  evil?.close();
  if (process.exitCode && stack) console.error(`--- harness ---\n${logOf(stack.server)}\n--- next ---\n${logOf(stack.next)}`);
  await stopAll();
});

async function register(page, who) {
  await page.goto(`${stack.web}/register`);
  await page.fill("#displayName", who.name);
  await page.fill("#email", who.email);
  await page.fill("#password", PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.locator("[data-testid=signed-in-as]", { hasText: who.name }).waitFor({ timeout: DEADLINE_MS });
}

/** The cookies of the page's browser as a Cookie header. */
async function cookieHeader(page) {
  return (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
}

test("after signing up the tokens are in httpOnly SameSite cookies, never in document.cookie or localStorage", async () => {
  const { context, page, errors } = await newPage(browser, VIEWPORTS[0]);
  const who = { email: `${RUN}-cookies@example.com`, name: "Cookie" };
  const bodies = [];
  page.on("response", async (res) => {
    if (res.url().includes("UserService/Register")) bodies.push(await res.text());
  });
  try {
    await register(page, who);
    await until("Register's answer read", () => bodies.length === 1);
    const s = await sessionOf(page);
    assert.equal(s.user.email, who.email);
    assert.match(s.accessToken ?? "", /^[\w-]+\.[\w-]+\.[\w-]+$/, "an access token in the cookie");
    assert.ok(s.refreshToken, "a refresh token in the cookie");
    await api(UserService, s.accessToken).getProfile({}); // the cookie's token is the session's

    for (const c of (await context.cookies()).filter((c) => c.name.startsWith("harness_"))) {
      assert.equal(c.httpOnly, true, `${c.name} is httpOnly`);
      assert.equal(c.sameSite, "Strict", `${c.name} is SameSite=Strict`);
      assert.equal(c.path, "/api", `${c.name} goes only to the app's routes`);
    }
    const seen = await page.evaluate(() => ({
      cookie: document.cookie,
      storage: Object.keys(localStorage).map((k) => `${k}=${localStorage.getItem(k)}`).join("\n"),
    }));
    for (const where of [seen.cookie, seen.storage, ...bodies]) {
      assert.ok(!where.includes(s.accessToken), "no access token the page can read");
      assert.ok(!where.includes(s.refreshToken), "no refresh token the page can read");
    }
    assert.equal(seen.cookie, "", "document.cookie holds nothing");
    assert.equal(bodies.length, 1);
    assert.ok(!/accessToken|refreshToken/.test(bodies[0]), "Register's answer reaches the page without the session's tokens");

    // Over https (the Ingress says so) the cookies are Secure.
    const res = await fetch(`${stack.web}/api/session`, { headers: { "X-Harness-CSRF": "1", "Sec-Fetch-Site": "same-origin", "X-Forwarded-Proto": "https", Cookie: await cookieHeader(page) } });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).signedIn, true);
    const res2 = await fetch(`${stack.web}/api/session`, {
      method: "POST",
      headers: { "X-Harness-CSRF": "1", "Sec-Fetch-Site": "same-origin", "X-Forwarded-Proto": "https", Cookie: await cookieHeader(page) },
    });
    const set = res2.headers.getSetCookie();
    assert.equal(set.length, 3);
    for (const c of set) assert.match(c, /; HttpOnly; SameSite=Strict; Secure$/);
    assert.deepEqual(errors, [], "no page error");
  } finally {
    await context.close();
  }
});

test("a cross-site form POST or a request without the CSRF header is refused 403", async () => {
  const { context, page } = await newPage(browser, VIEWPORTS[0]);
  const who = { email: `${RUN}-csrf@example.com`, name: "Victim" };
  try {
    await register(page, who);
    const { accessToken } = await sessionOf(page);
    const designs = async () => (await api(DesignService, accessToken).listDesigns({ pageSize: 20 })).designs.length;
    assert.equal(await designs(), 0);

    // From another site, in the victim's browser: a form posting to the proxy, to the session and to test payments.
    for (const target of ["/api/rpc/harness.builder.v1.DesignService/CreateDesign", "/api/session", "/api/test-payments"]) {
      const answered = page.waitForResponse((r) => r.url() === `${stack.web}${target}`, { timeout: DEADLINE_MS });
      await page.goto(`${evilUrl}/?target=${encodeURIComponent(target)}`);
      assert.equal((await answered).status(), 403, `${target} refuses a cross-site form`);
    }
    // A cross-site fetch that sets the header is stopped by the browser (no preflight is granted).
    await page.goto(`${evilUrl}/`);
    const fetched = await page.evaluate(async (url) => {
      try {
        const r = await fetch(url, { method: "POST", credentials: "include", headers: { "X-Harness-CSRF": "1", "Content-Type": "application/json" }, body: "{}" });
        return r.status;
      } catch {
        return "blocked";
      }
    }, `${stack.web}/api/rpc/harness.builder.v1.DesignService/CreateDesign`);
    assert.equal(fetched, "blocked");

    // Even with the victim's cookies (as a browser sending them would): no header, or another origin, is refused.
    const cookie = await cookieHeader(page);
    const body = JSON.stringify({ name: "pwned", design: {}, idempotencyKey: `${RUN}-csrf` });
    const url = `${stack.web}/api/rpc/harness.builder.v1.DesignService/CreateDesign`;
    const json = { "Content-Type": "application/json", Cookie: cookie };
    for (const [what, headers] of [
      ["no header, same origin", { ...json, "Sec-Fetch-Site": "same-origin", Origin: stack.web }],
      ["the header, cross-site", { ...json, "X-Harness-CSRF": "1", "Sec-Fetch-Site": "cross-site", Origin: evilUrl }],
      ["the header, same-site other origin", { ...json, "X-Harness-CSRF": "1", "Sec-Fetch-Site": "same-site" }],
      ["the header, another Origin", { ...json, "X-Harness-CSRF": "1", Origin: evilUrl }],
      ["the header, no Origin nor Sec-Fetch-Site", { ...json, "X-Harness-CSRF": "1" }],
    ]) {
      const res = await fetch(url, { method: "POST", headers, body });
      assert.equal(res.status, 403, what);
    }
    const del = await fetch(`${stack.web}/api/session`, { method: "DELETE", headers: { Cookie: cookie, Origin: evilUrl } });
    assert.equal(del.status, 403, "signing out cross-site is refused");
    assert.equal(await designs(), 0, "nothing was made");
    await api(UserService, accessToken).getProfile({}); // still signed in

    // The page's own calls pass: same origin, with the header.
    await page.goto(`${stack.web}/designs`);
    await page.getByText(/No saved designs|Saved designs/).first().waitFor({ timeout: DEADLINE_MS });
    const own = await page.evaluate(async (body) => {
      const r = await fetch("/api/rpc/harness.builder.v1.DesignService/ListDesigns", { method: "POST", headers: { "X-Harness-CSRF": "1", "Content-Type": "application/json" }, body: "{}" });
      const refused = await fetch("/api/rpc/harness.user.v1.UserService/RefreshSession", { method: "POST", headers: { "X-Harness-CSRF": "1", "Content-Type": "application/json" }, body });
      return [r.status, refused.status];
    }, JSON.stringify({ refreshToken: "x" }));
    assert.deepEqual(own, [200, 403], "the page's calls pass; RefreshSession is the server's alone");
  } finally {
    await context.close();
  }
});

test("signing out ends the session on the API and clears the cookies", async () => {
  const { context, page, errors } = await newPage(browser, VIEWPORTS[1]);
  const who = { email: `${RUN}-out@example.com`, name: "Leaver" };
  try {
    await register(page, who);
    const { refreshToken } = await sessionOf(page);
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("button", { name: "Sign out" }).click();
    await nav.getByRole("link", { name: "Sign in" }).waitFor({ timeout: DEADLINE_MS });
    await until("the cookies cleared", async () => (await context.cookies()).filter((c) => c.name.startsWith("harness_")).length === 0);
    assert.equal(await sessionOf(page), null);
    await api(UserService).refreshSession({ refreshToken }).then(
      () => assert.fail("the signed-out session still refreshes"),
      (e) => assert.equal(ConnectError.from(e).code, Code.Unauthenticated),
    );
    // The designs page asks to sign in; the proxy sends no token.
    await page.goto(`${stack.web}/designs`);
    await page.getByRole("link", { name: /sign in/i }).first().waitFor({ timeout: DEADLINE_MS });
    assert.deepEqual(errors, [], "no page error");
  } finally {
    await context.close();
  }
});

test("WatchOrder streams through the proxy, and leaving the page closes the stream on the API", async () => {
  // The API lets one user hold 16 WatchOrder streams: opening the order page
  // 20 times in a row stays live only if each page's stream is closed
  // upstream when the page goes.
  const { context, page, errors } = await newPage(browser, VIEWPORTS[0]);
  const who = { email: `${RUN}-watch@example.com`, name: "Watcher" };
  try {
    await register(page, who);
    const { accessToken } = await sessionOf(page);
    const design = { style: Style.NO_PULL, size: Size.M, material: Material.NYLON, hardware: Hardware.PLASTIC, webbingColor: Color.NAVY };
    const { design: saved } = await api(DesignService, accessToken).createDesign({ name: "Watch", design, idempotencyKey: `${RUN}-watch` });
    const { order } = await api(OrderService, accessToken).createOrder({
      lines: [{ designId: saved.id, quantity: 1 }],
      shippingAddress: { name: "Pat Barker", line1: "1 Kennel Lane", city: "Portland", region: "OR", postalCode: "97201", countryCode: "US" },
      idempotencyKey: `${RUN}-watch-order`,
    });
    for (let i = 0; i < 20; i++) {
      await page.goto(`${stack.web}/orders/${order.id}`);
      await page.getByTestId("live").waitFor({ timeout: DEADLINE_MS });
      await page.goto(`${stack.web}/designs`);
    }
    // Live: a change made elsewhere reaches the open page without a reload.
    await page.goto(`${stack.web}/orders/${order.id}`);
    await page.getByTestId("live").waitFor({ timeout: DEADLINE_MS });
    await api(OrderService, accessToken).cancelOrder({ id: order.id });
    await until("the cancel on the page", async () => (await page.getByTestId("order-status").getAttribute("data-status", { timeout: 500 })) === "CANCELLED");
    assert.equal((await api(OrderService, accessToken).getOrder({ id: order.id })).order.status, OrderStatus.CANCELLED);
    assert.deepEqual(errors, [], "no page error");
  } finally {
    await context.close();
  }
});
