// size.mjs: what a page ships. Bundles three pages' imports of the built
// package (dist/, through its exports map, as an app's bundler would) with
// esbuild --bundle --minify for the browser, gzips them, prints the sizes
// and fails when a page is over its budget or pulls a contract it does not
// use. Run by `npm test`; `npm run size` alone after `npm run build`.
//
// The floor is @bufbuild/protobuf's runtime (the descriptor of
// descriptor.proto it boots from, JSON and binary codecs, the registry) and
// connect-web: about 30 KB gzip for any page that makes one call.

import { gzipSync } from "node:zlib";
import path from "node:path";
import { fileURLToPath } from "node:url";

import * as esbuild from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const KB = 1024;

/** The pages: their imports, gzip budget, and the modules they must not bundle. */
const pages = [
  {
    name: "quote-only page (catalog client + transport)",
    budget: 40 * KB,
    code: `
      import { createTransport, violationsOf } from "@harnesshero/client";
      import { createCatalogClient, Style } from "@harnesshero/client/catalog";
      const catalog = createCatalogClient(createTransport({ baseUrl: "/" }));
      catalog.quote({ design: { style: Style.VEST }, quantity: 1 }).then(console.log, (e) => console.log(violationsOf(e)));
    `,
    forbidden: [
      /dist\/gen\/buf\/validate\//,
      /dist\/gen\/harness\/validate\//,
      /dist\/gen\/harness\/(user|order|analytics|events)\//,
      /dist\/gen\/harness\/builder\/v1\/(design_service|events)_pb/,
      /@bufbuild\/(protovalidate|cel|re2)\//,
    ],
  },
  {
    name: "builder page (catalog + designs + validation + session)",
    budget: 130 * KB,
    code: `
      import { createAuthInterceptor, createTransport, fieldErrors, violationsOf, webStorageTokenStore } from "@harnesshero/client";
      import { createCatalogClient } from "@harnesshero/client/catalog";
      import { createDesignsClient, DesignSchema } from "@harnesshero/client/designs";
      import { validate } from "@harnesshero/client/validation";
      const tokens = webStorageTokenStore(localStorage);
      const transport = createTransport({ baseUrl: "/", interceptors: [createAuthInterceptor({ baseUrl: "/", tokens })] });
      const design = {};
      console.log(fieldErrors(validate(DesignSchema, design).violations));
      createCatalogClient(transport).quote({ design, quantity: 1 }).then(console.log);
      createDesignsClient(transport).createDesign({ name: "x", design }).catch((e) => console.log(violationsOf(e, { relativeTo: "design" })));
    `,
    forbidden: [/dist\/gen\/harness\/(order|analytics|events)\//],
  },
  {
    name: "whole client (@harnesshero/client/all, every export)",
    budget: undefined,
    code: `export * from "@harnesshero/client/all";`,
    forbidden: [],
  },
];

let failed = false;
const rows = [];
for (const page of pages) {
  const result = await esbuild.build({
    stdin: { contents: page.code, resolveDir: root, loader: "js", sourcefile: "page.js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "error",
  });
  const js = result.outputFiles[0].contents;
  const gzip = gzipSync(js, { level: 9 }).length;
  // The modules that put bytes in the bundle (esbuild lists the ones it
  // parsed and then dropped with 0 bytes).
  const inputs = Object.entries(Object.values(result.metafile.outputs)[0].inputs)
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([k]) => k);
  rows.push([page.name, js.length, gzip, page.budget]);
  if (page.budget !== undefined && gzip > page.budget) {
    console.error(`size: ${page.name}: ${kb(gzip)} gzip is over its budget of ${kb(page.budget)}`);
    failed = true;
  }
  for (const re of page.forbidden) {
    const hits = inputs.filter((i) => re.test(i));
    if (hits.length > 0) {
      console.error(`size: ${page.name} bundles what it does not use:\n  ${hits.join("\n  ")}`);
      failed = true;
    }
  }
}

function kb(n) {
  return `${(n / KB).toFixed(1)} KB`;
}

for (const [name, min, gzip, budget] of rows) {
  console.log(`size: ${name}: ${kb(min)} minified, ${kb(gzip)} gzip${budget === undefined ? "" : ` (budget ${kb(budget)})`}`);
}
if (failed) process.exit(1);
