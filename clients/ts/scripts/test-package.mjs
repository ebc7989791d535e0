// test-package.mjs (`npm run test:package`): the package as a user installs
// it, outside this repository and its workspace.
//
// 1. npm pack (which runs `prepare`, the build) gives a tarball with dist/
//    and src/, and nothing else of the repository.
// 2. A plain Node ESM project installs the tarball (npm adds the peer
//    dependencies) and imports every subpath through the exports map.
// 3. A clone that was never built is refused with the reason when an app
//    installs it; built (`npm ci` in it), it installs with --install-links.
// 4. The Next.js app of test/fixtures/next-app installs the tarball and
//    `next build` (Turbopack, Next's default) passes: exports and types
//    resolve for a bundler, in Server Components, Client Components, a route
//    handler and with connect-query. The quote-only page's browser chunks
//    carry no protovalidate, the builder's do. With HARNESS_URL set (a live
//    API, e.g. under scripts/with-server.sh), `next start` serves it and the
//    Server Component, the route handler and the rewrite of the API answer.
//
// Needs the npm registry (for the peers, next and react). Slow (a minute or
// more); `--skip-next` leaves step 4 out. Every folder it makes is under one
// temporary directory, removed at the end unless KEEP_TMP=1.

import { execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const skipNext = process.argv.includes("--skip-next");
const tmp = mkdtempSync(path.join(os.tmpdir(), "harness-client-pkg-"));
const npmFlags = ["--no-audit", "--no-fund", "--loglevel=error"];

const subpaths = {
  "": ["createTransport", "createAuthInterceptor", "violationsOf", "fieldErrors", "create", "fromJson", "toJson", "ConnectError", "Code"],
  "/catalog": ["createCatalogClient", "CatalogService", "DesignSchema", "Style"],
  "/designs": ["createDesignsClient", "DesignService", "SavedDesignSchema"],
  "/users": ["createUsersClient", "UserService", "SessionSchema"],
  "/orders": ["createOrdersClient", "OrderService", "OrderSchema"],
  "/analytics": ["createAnalyticsClient", "AnalyticsService"],
  "/events": ["EnvelopeSchema"],
  "/validation": ["validate", "validateDesign", "ViolationsSchema"],
  "/all": ["createHarnessClient", "validate", "CatalogService"],
};

function run(cmd, args, cwd, env = {}) {
  console.log(`test-package: (${path.relative(tmp, cwd) || "."}) ${cmd} ${args.join(" ")}`);
  return execFileSync(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
}

function check(ok, message) {
  if (!ok) throw new Error(`test-package: ${message}`);
}

/** A script importing every subpath and checking its exports. */
function importAll() {
  return `
    const subpaths = ${JSON.stringify(subpaths)};
    for (const [sub, names] of Object.entries(subpaths)) {
      const spec = "@harnesshero/client" + sub;
      const mod = await import(spec);
      for (const n of names) if (mod[n] === undefined) throw new Error(spec + " exports no " + n);
      const file = import.meta.resolve(spec);
      if (!file.includes("/node_modules/@harnesshero/client/dist/")) throw new Error(spec + " resolved to " + file);
    }
    const { validateDesign } = await import("@harnesshero/client/validation");
    if (validateDesign({}).valid) throw new Error("an empty design passed validation");
    console.log("imports: ok");
  `;
}

try {
  // 1. The tarball.
  // The build that `prepare` runs writes to stdout too: the JSON starts at a "[" line.
  const packOut = run("npm", ["pack", "--json", "--pack-destination", tmp, ...npmFlags], root);
  const packed = JSON.parse(packOut.slice(packOut.search(/^\[$/m)));
  const tarball = path.join(tmp, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  for (const f of ["dist/index.js", "dist/index.d.ts", "dist/catalog.js", "dist/validation.d.ts", "dist/internal/option-files.js", "src/index.ts", "README.md", "package.json"]) {
    check(files.includes(f), `the tarball has no ${f}`);
  }
  const stray = files.filter((f) => !/^(dist|src)\//.test(f) && !["README.md", "package.json"].includes(f));
  check(stray.length === 0, `the tarball carries files an app does not need: ${stray.join(", ")}`);
  console.log(`test-package: ${packed[0].filename}: ${files.length} files, ${(packed[0].size / 1024).toFixed(0)} KB`);

  // 2. A plain Node ESM project.
  const esm = path.join(tmp, "esm");
  mkdirSync(esm);
  writeFileSync(path.join(esm, "package.json"), JSON.stringify({ name: "esm-app", private: true, type: "module" }));
  run("npm", ["install", tarball, ...npmFlags], esm);
  const connects = run("npm", ["ls", "@connectrpc/connect", "--all", "--parseable"], esm).trim().split("\n");
  check(connects.length === 1, `more than one @connectrpc/connect installed: ${connects.join(", ")}`);
  writeFileSync(path.join(esm, "check.mjs"), importAll());
  console.log(run("node", ["check.mjs"], esm).trim());

  // 3. A clone that was never built: installing it fails with the reason
  // (the tools that build it are not there) rather than installing a package
  // without dist/; once built (`npm ci` in the clone), it installs.
  const clone = path.join(tmp, "clone");
  const skip = new Set(["node_modules", "dist", "dist-test", "test"].map((d) => path.join(root, d)));
  cpSync(root, clone, { recursive: true, filter: (src) => !skip.has(src) });
  check(!existsSync(path.join(clone, "dist")), "the clone has a dist/");
  const linked = path.join(tmp, "linked");
  mkdirSync(linked);
  writeFileSync(path.join(linked, "package.json"), JSON.stringify({ name: "linked-app", private: true, type: "module" }));
  let failure = "";
  try {
    execFileSync("npm", ["install", "--install-links", clone, ...npmFlags], { cwd: linked, stdio: "pipe", encoding: "utf8" });
  } catch (err) {
    failure = `${err.stdout}${err.stderr}`;
  }
  check(failure.includes("dist/ is not built"), `installing the unbuilt clone did not fail with the reason:\n${failure}`);
  check(!existsSync(path.join(linked, "node_modules", "@harnesshero", "client")), "the unbuilt clone was installed");
  console.log("test-package: the unbuilt clone is refused, with the reason");
  run("npm", [existsSync(path.join(clone, "package-lock.json")) ? "ci" : "install", ...npmFlags], clone);
  check(existsSync(path.join(clone, "dist", "index.js")), "npm ci in the clone did not build dist/");
  run("npm", ["install", "--install-links", clone, ...npmFlags], linked);
  writeFileSync(path.join(linked, "check.mjs"), importAll());
  console.log(run("node", ["check.mjs"], linked).trim());

  // 4. A Next.js app.
  if (!skipNext) {
    const app = path.join(tmp, "next-app");
    cpSync(path.join(root, "test", "fixtures", "next-app"), app, { recursive: true });
    const pkgFile = path.join(app, "package.json");
    writeFileSync(pkgFile, readFileSync(pkgFile, "utf8").replace("file:TARBALL", `file:${tarball}`));
    run("npm", ["install", ...npmFlags], app);
    run("npx", ["next", "build"], app, { NEXT_TELEMETRY_DISABLED: "1" });
    checkChunks(app);
    if (process.env.HARNESS_URL) {
      await checkServing(app);
    } else {
      console.log("test-package: HARNESS_URL is not set: the built app is not started against an API");
    }
  }
  console.log("test-package: ok");
} finally {
  if (process.env.KEEP_TMP === "1") console.log(`test-package: kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

// checkChunks reads the browser chunks each page loads (from Next's client
// reference manifests), finds the protobuf file descriptors embedded in them
// (base64 strings) and checks the quote-only page carries only the
// catalog's contracts and no protovalidate, while the builder, which
// validates, carries validate.proto and protovalidate.
function checkChunks(app) {
  const chunksOf = (route) => {
    const dir = path.join(app, ".next", "server", "app", route);
    const manifest = readdirSync(dir).find((f) => f.endsWith("client-reference-manifest.js"));
    check(manifest, `no client reference manifest for /${route}`);
    const text = readFileSync(path.join(dir, manifest), "utf8");
    const chunks = new Set([...text.matchAll(/"\/_next\/(static\/chunks\/[^"]+\.js)"/g)].map((m) => m[1]));
    check(chunks.size > 0, `no chunks listed for /${route}`);
    return [...chunks].map((c) => readFileSync(path.join(app, ".next", c), "utf8")).join("\n");
  };
  // The proto files whose descriptors a bundle embeds, with their sizes. A
  // FileDescriptorProto starts with field 1, its name: 0x0a, length, name.
  const descriptorsIn = (js) => {
    const files = new Map();
    for (const [, b64] of js.matchAll(/"([A-Za-z0-9+/]{40,}={0,2})"/g)) {
      const bytes = Buffer.from(b64, "base64");
      if (bytes[0] !== 0x0a || bytes[1] > 120) continue;
      const name = bytes.subarray(2, 2 + bytes[1]).toString();
      if (/^[\w/.-]+\.proto$/.test(name)) files.set(name, Math.max(files.get(name) ?? 0, bytes.length));
    }
    return files;
  };
  const protovalidate = "register the extension with a registry"; // a message of protovalidate's planner

  const quote = chunksOf("quote");
  const quoteFiles = descriptorsIn(quote);
  const allowed = ["harness/builder/v1/catalog.proto", "harness/builder/v1/design.proto", "harness/builder/v1/catalog_service.proto", "harness/auth/v1/access.proto"];
  check(quoteFiles.has("harness/builder/v1/catalog_service.proto"), `the quote page embeds no catalog_service.proto (found ${[...quoteFiles.keys()]})`);
  for (const [name, size] of quoteFiles) {
    // Stand-ins of the options-only files are a few dozen bytes.
    check(allowed.includes(name) || name.startsWith("google/protobuf/") || size < 100, `the quote page embeds ${name} (${size} bytes)`);
  }
  check(!quote.includes(protovalidate), "the quote page ships protovalidate");

  const builder = chunksOf("builder");
  check((descriptorsIn(builder).get("buf/validate/validate.proto") ?? 0) > 10_000, "the builder page does not embed validate.proto");
  check(builder.includes(protovalidate), "the builder page does not ship protovalidate");
  const listed = [...quoteFiles].sort().map(([name, size]) => (size < 100 ? `${name} (stand-in)` : name));
  console.log(`test-package: /quote embeds ${listed.join(", ")}; no protovalidate. /builder validates.`);
}

// checkServing starts the built app (next start, on a free port) and checks
// what its server side does with the package against the live API.
async function checkServing(app) {
  const port = await new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
  const next = spawn(process.execPath, [path.join(app, "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: app,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: "ignore",
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        if ((await fetch(`${url}/quote`)).ok) break;
      } catch {
        // not listening yet
      }
      check(Date.now() < deadline, "next start did not answer within 60 s");
      await new Promise((r) => setTimeout(r, 200));
    }
    // A Server Component: the catalog fetched on the server.
    const home = await (await fetch(url)).text();
    check(home.includes("STEP_IN") && home.includes("NO_PULL"), "the Server Component did not render the catalog");
    // A route handler: a quote, and the violations of a broken design.
    const design = { style: "STYLE_STEP_IN", size: "SIZE_M", material: "MATERIAL_NYLON", hardware: "HARDWARE_PLASTIC", webbingColor: "COLOR_RED" };
    const ok = await fetch(`${url}/api/quote`, { method: "POST", body: JSON.stringify({ design, quantity: 1 }) });
    check(ok.status === 200 && (await ok.json()).quote?.totalCents === 3400, "the route handler did not quote 3400");
    const bad = await fetch(`${url}/api/quote`, { method: "POST", body: JSON.stringify({ design: { ...design, material: "MATERIAL_LEATHER" }, quantity: 1 }) });
    const { violations } = await bad.json();
    check(bad.status === 400 && violations?.some((v) => v.path === "design.hardware" && v.ruleId === "hardware.leather_hardware" && v.message !== ""),
      `the route handler did not answer the violations: ${JSON.stringify(violations)}`);
    // The API under the app's origin (the rewrite), as a page with baseUrl "/" calls it.
    const rpc = await fetch(`${url}/harness.builder.v1.CatalogService/GetCatalog?connect=v1&encoding=json&message=%7B%7D`);
    check(rpc.status === 200 && (await rpc.json()).catalog?.styles?.length === 4, "the rewritten GetCatalog did not answer");
    console.log("test-package: next start: the Server Component, the route handler and the rewritten API answer");
  } finally {
    const exited = new Promise((resolve) => next.once("exit", resolve));
    process.kill(-next.pid, "SIGTERM");
    const timer = setTimeout(() => process.kill(-next.pid, "SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
