// prepare.mjs: the `prepare` script. npm runs it after `npm ci`/`npm install`
// in this folder, before `npm pack`, and when an app installs the folder
// itself (a clone, `npm install ../clients/ts`). It builds dist/, so a
// package without dist/ never gets installed: either it builds, or the
// install fails here saying why.

import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
try {
  require.resolve("typescript/package.json");
} catch {
  console.error(
    "@harnesshero/client: dist/ is not built, and the tools that build it are not installed here.\n" +
      "Build the clone first: `npm ci` at the repository root (the npm workspace builds it),\n" +
      "then install it in your app with `npm install --install-links <path to clients/ts>`, or install\n" +
      "the tarball of `npm pack`. See clients/ts/README.md, \"Install\".",
  );
  process.exit(1);
}
execFileSync("npm", ["run", "build"], { stdio: "inherit" });
