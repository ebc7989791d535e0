// slim-gen.mjs: the step of `npm run build` after tsc. It makes the compiled
// generated code (dist/gen) load only what a page uses:
//
// 1. The contracts import buf/validate/validate.proto and
//    harness/validate/v1/rules.proto only for the rules in their options,
//    which the descriptors keep as unknown fields that protovalidate reads
//    by number. The generated code still imports both files' descriptors as
//    dependencies, which put the 71 KB descriptor of validate.proto into
//    every page, even one that only asks for a quote. This step points those
//    imports at stand-ins with the same file name and package and no types
//    (dist/internal/option-files.js, written here). Only
//    "@harnesshero/client/validation" loads the real files.
// 2. dist/gen/buf/validate/validate_pb.js becomes a re-export of the same
//    file shipped by @bufbuild/protovalidate, when both embed the same
//    descriptor, so a page that validates loads it once, not twice.
//
// It then imports every module of dist in a child process: a stand-in that
// hid a type a contract does use would fail there ("cannot find ..."), and
// so would the build. src/gen itself is never touched.

import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { create, toBinary } from "@bufbuild/protobuf";
import { base64Encode } from "@bufbuild/protobuf/wire";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
const gen = path.join(dist, "gen");

// The files whose descriptors the contracts need for options only: the
// export name of each file's descriptor, and its module under dist/gen.
const optionFiles = {
  file_buf_validate_validate: "buf/validate/validate_pb.js",
  file_harness_validate_v1_rules: "harness/validate/v1/rules_pb.js",
};

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith(".js") ? [path.join(dir, e.name)] : [],
  );
}

function embeddedDescriptor(file) {
  const m = /fileDesc\("([^"]*)"/.exec(readFileSync(file, "utf8"));
  if (m === null) throw new Error(`slim-gen: no embedded descriptor in ${file}`);
  return m[1];
}

// 1. The stand-ins, named and packaged like the real files.
const stubs = [];
for (const [exportName, module] of Object.entries(optionFiles)) {
  const real = (await import(pathToFileURL(path.join(gen, module)).href))[exportName];
  if (real === undefined) throw new Error(`slim-gen: ${module} exports no ${exportName}`);
  const proto = create(FileDescriptorProtoSchema, { name: real.proto.name, package: real.proto.package });
  stubs.push(
    `/** Stand-in for ${real.proto.name}: its name and package, no types. */\n` +
      `export const ${exportName} = /*@__PURE__*/ fileDesc("${base64Encode(toBinary(FileDescriptorProtoSchema, proto))}");\n`,
  );
}
const stubFile = path.join(dist, "internal", "option-files.js");
mkdirSync(path.dirname(stubFile), { recursive: true });
writeFileSync(
  stubFile,
  "// Written by scripts/slim-gen.mjs: stand-ins for the descriptors the contracts\n" +
    "// import only for their options (see that script).\n" +
    'import { fileDesc } from "@bufbuild/protobuf/codegenv2";\n\n' +
    stubs.join("\n"),
);

let rewritten = 0;
const ownFiles = new Set(Object.values(optionFiles).map((m) => path.join(gen, m)));
for (const file of walk(gen)) {
  if (ownFiles.has(file)) continue;
  const src = readFileSync(file, "utf8");
  const out = src.replace(/^import \{ (file_\w+) \} from "(\.[^"]+)";$/gm, (line, name, spec) => {
    const target = optionFiles[name];
    if (target === undefined || path.resolve(path.dirname(file), spec) !== path.join(gen, target)) {
      return line;
    }
    rewritten++;
    let rel = path.relative(path.dirname(file), stubFile).split(path.sep).join("/");
    if (!rel.startsWith(".")) rel = `./${rel}`;
    return `import { ${name} } from "${rel}";`;
  });
  if (out !== src) writeFileSync(file, out);
}
if (rewritten === 0) {
  throw new Error("slim-gen: no import of an options-only file was found in dist/gen; did the generated code change shape?");
}

// 2. One copy of validate.proto's descriptor: protovalidate's.
const ours = path.join(gen, optionFiles.file_buf_validate_validate);
const theirsSpec = "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
const theirs = fileURLToPath(import.meta.resolve(theirsSpec));
const oursExports = Object.keys(await import(pathToFileURL(ours).href)).sort();
const theirsExports = Object.keys(await import(theirsSpec)).sort();
if (
  embeddedDescriptor(ours) === embeddedDescriptor(theirs) &&
  JSON.stringify(oursExports) === JSON.stringify(theirsExports)
) {
  writeFileSync(
    ours,
    "// Written by scripts/slim-gen.mjs: @bufbuild/protovalidate ships the same file\n" +
      "// (same descriptor, same exports); re-exporting it keeps one copy in a page.\n" +
      `export * from "${theirsSpec}";\n`,
  );
} else {
  console.warn(
    "slim-gen: buf/validate/validate.proto of the contracts differs from @bufbuild/protovalidate's; " +
      "a page that validates will load both copies (align the protovalidate versions).",
  );
}

// 3. Every module loads.
const modules = walk(dist).map((f) => pathToFileURL(f).href);
execFileSync(
  process.execPath,
  ["--input-type=module", "-e", `for (const m of ${JSON.stringify(modules)}) await import(m);`],
  { stdio: "inherit" },
);
console.log(`slim-gen: ${rewritten} imports of options-only descriptors replaced; ${modules.length} modules load`);
