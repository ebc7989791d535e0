// npm test (web): the unit tests of the app's pure logic (web/test/*.test.ts(x):
// money, cart, design form, lifecycle, dates, test payments). esbuild turns
// each test into one ES module under .unit/ (packages stay external: the
// client package is imported as installed), then node's test runner runs them.

import { execFileSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(web, ".unit");
rmSync(out, { recursive: true, force: true });
const tests = readdirSync(path.join(web, "test")).filter((f) => /\.test\.tsx?$/.test(f));
await build({
  entryPoints: tests.map((f) => path.join(web, "test", f)),
  outdir: out,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  alias: { "@": web },
  logLevel: "warning",
});
execFileSync(process.execPath, ["--test", ...tests.map((f) => path.join(out, f.replace(/\.tsx?$/, ".mjs")))], { stdio: "inherit" });
