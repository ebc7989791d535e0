// Support of the browser tests: a fresh platform (bin/harness on a free
// port with a throw-away SQLite data directory), the production build of the
// app served by `next start` on another free port, and headless Chromium
// (Debian's package, driven by playwright-core). Everything started here is
// stopped by stopAll, whatever the tests did.

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = path.resolve(WEB_DIR, "..");
export const SCREENSHOTS = path.join(WEB_DIR, "e2e", "screenshots");

/** How long any wait for an effect may take; the box is busy and has 2 cores. */
export const DEADLINE_MS = Number(process.env.E2E_DEADLINE_MS || 20_000);

const children = [];
const dirs = [];

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Waits until check() is truthy (polling every 100 ms) or throws after ms. */
export async function until(what, check, ms = DEADLINE_MS) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${last.message}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function start(name, cmd, args, options) {
  const child = spawn(cmd, args, { ...options, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const log = [];
  const keep = (chunk) => {
    log.push(chunk.toString());
    if (log.length > 400) log.shift();
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const entry = { name, child, log, exited: false };
  child.on("exit", () => {
    entry.exited = true;
  });
  children.push(entry);
  return entry;
}

async function ready(entry, url) {
  await until(`${entry.name} at ${url}`, async () => {
    if (entry.exited) throw new Error(`${entry.name} exited:\n${entry.log.join("")}`);
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    return res?.ok;
  }, 60_000);
}

/** Builds the app for production (`next build`), unless E2E_SKIP_BUILD is set. */
export function buildApp() {
  if (process.env.E2E_SKIP_BUILD && existsSync(path.join(WEB_DIR, ".next", "BUILD_ID"))) return;
  execFileSync(path.join(ROOT, "node_modules", ".bin", "next"), ["build"], {
    cwd: WEB_DIR,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
}

/**
 * Starts a fresh platform and the app. Returns their URLs, the platform's
 * data directory (for `harness users grant-admin`) and the binary.
 */
export async function startStack() {
  const bin = path.resolve(ROOT, process.env.HARNESS_BIN || "bin/harness");
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run make build first`);
  const [apiPort, webPort] = [await freePort(), await freePort()];
  const api = `http://127.0.0.1:${apiPort}`;
  const web = `http://127.0.0.1:${webPort}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), "harness-e2e-"));
  dirs.push(dataDir);

  const server = start("harness", bin, ["serve", "--addr", `127.0.0.1:${apiPort}`, "--data-dir", dataDir, "--cors-origins", web], {
    cwd: ROOT,
    env: { ...process.env, HARNESS_LOG_LEVEL: "warn" },
  });
  await ready(server, `${api}/readyz`);

  const next = start("next", path.join(ROOT, "node_modules", ".bin", "next"), ["start", "--port", String(webPort), "--hostname", "127.0.0.1"], {
    cwd: WEB_DIR,
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      HARNESS_API_URL: api,
      HARNESS_TEST_PAYMENTS_SECRET_FILE: path.join(dataDir, "keys", "webhook-secret"),
    },
  });
  await ready(next, `${web}/signin`);
  return { api, web, dataDir, bin, server, next };
}

/** Runs `harness users grant-admin EMAIL` against the platform's data. */
export function grantAdmin(stack, email) {
  execFileSync(stack.bin, ["users", "grant-admin", email, "--data-dir", stack.dataDir], { cwd: ROOT, stdio: "pipe" });
}

/** Headless Chromium: Debian's package (or CHROMIUM_PATH), no downloads. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

let shot = 0;
/** Saves a full-page screenshot as NN-name.png under e2e/screenshots. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  shot += 1;
  await page.screenshot({ path: path.join(SCREENSHOTS, `${String(shot).padStart(2, "0")}-${name}.png`), fullPage: true });
}

/** Clears the screenshots of an earlier run. */
export function clearScreenshots() {
  rmSync(SCREENSHOTS, { recursive: true, force: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
}

/** Stops every process started here and removes the data directories. */
export async function stopAll() {
  for (const entry of children.reverse()) {
    if (entry.exited) continue;
    try {
      process.kill(-entry.child.pid, "SIGTERM"); // the process group: next start spawns workers
    } catch {
      // already gone
    }
    const gone = await until(`${entry.name} to stop`, () => entry.exited, 10_000).catch(() => false);
    if (!gone) {
      try {
        process.kill(-entry.child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

/** The last lines a process printed, for a failure message. */
export function logOf(entry) {
  return entry.log.join("").split("\n").slice(-40).join("\n");
}

/** The package's version, to make e-mail addresses unique per run. */
export const RUN = `e2e${Date.now().toString(36)}`;

export function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

/**
 * The JavaScript a first visit to url loads: every script the served HTML
 * names (src attributes and the chunks Next lists for the route), fetched and
 * measured gzipped, as browsers download it. Returns { files, gzipBytes }.
 */
export async function firstLoadJs(url) {
  const { gzipSync } = await import("node:zlib");
  const html = await (await fetch(url)).text();
  const files = [...new Set([...html.matchAll(/\/_next\/static\/[^"'\\\s]+?\.js/g)].map((m) => m[0]))];
  let gzipBytes = 0;
  for (const f of files) {
    const body = Buffer.from(await (await fetch(new URL(f, url))).arrayBuffer());
    gzipBytes += gzipSync(body, { level: 9 }).length;
  }
  return { files, gzipBytes };
}

/** Integer cents as the shop shows them: "$1,234.50", "−$4.00". */
export function cents(c) {
  const abs = Math.abs(c);
  const d = String((abs - (abs % 100)) / 100).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${c < 0 ? "\u2212" : ""}$${d}.${String(abs % 100).padStart(2, "0")}`;
}

/** A message as the shop shows it: a capital first, a full stop last. */
export function sentence(m) {
  const t = m.trim();
  const h = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(h) ? h : `${h}.`;
}

/** The viewports every page is checked at: a desktop and a phone. */
export const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 900 },
  { name: "phone", width: 390, height: 844, isMobile: true, hasTouch: true },
];

/** A browser context at viewport v whose page errors fail the test that reads them. */
export async function newPage(browser, v) {
  const context = await browser.newContext({ viewport: { width: v.width, height: v.height }, isMobile: v.isMobile, hasTouch: v.hasTouch });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err.message));
  return { context, page, errors };
}

/**
 * Puts saved designs ([{ designId, quantity }]) in the cart of whoever is
 * signed in on the page (a guest's cart when nobody is): carts are kept per
 * user in localStorage.
 */
export async function putCart(page, lines) {
  await page.evaluate((lines) => {
    const session = JSON.parse(localStorage.getItem("harness.user") ?? "null");
    const key = session ? `harness.cart.user.${session.user.id}` : "harness.cart.guest";
    localStorage.setItem(key, JSON.stringify(lines.map((l, i) => ({ lineId: `e2e-${i}`, ...l }))));
  }, lines);
}

/** The session's cookies (httpOnly: the page cannot read them; the tests can, through the browser). */
export const SESSION_COOKIES = { accessToken: "harness_access", refreshToken: "harness_refresh", accessTokenExpiresAt: "harness_access_exp" };

/**
 * The page's session: who the page thinks is signed in (localStorage
 * "harness.user", no token) and the tokens in the browser's httpOnly cookies;
 * null when neither is there.
 */
export async function sessionOf(page) {
  const user = await page.evaluate(() => JSON.parse(localStorage.getItem("harness.user") ?? "null")?.user ?? null);
  const jar = Object.fromEntries((await page.context().cookies()).map((c) => [c.name, c.value]));
  if (!user && !jar.harness_refresh) return null;
  return {
    user,
    accessToken: jar.harness_access,
    refreshToken: jar.harness_refresh,
    accessTokenExpiresAt: jar.harness_access_exp ? Number(jar.harness_access_exp) : undefined,
  };
}

/**
 * Rewrites the session's cookies in the page's browser: patch holds
 * accessToken, refreshToken and accessTokenExpiresAt values to put (as a
 * lagging request or a tampered token would present them).
 */
export async function setSessionCookies(page, patch) {
  const jar = await page.context().cookies();
  const put = [];
  for (const [key, name] of Object.entries(SESSION_COOKIES)) {
    if (!(key in patch)) continue;
    const c = jar.find((x) => x.name === name);
    if (!c) throw new Error(`no ${name} cookie to rewrite`);
    put.push({ ...c, value: encodeURIComponent(String(patch[key])) });
  }
  await page.context().addCookies(put);
}
