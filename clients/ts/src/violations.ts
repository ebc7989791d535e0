// The one shape of a broken rule, whether the page found it (validation.ts)
// or the server did (violationsOf): a camelCase path relative to the message
// the app validated, the rule's id and its message.
//
// This module reads the server's buf.validate.Violations error detail with the
// wire reader of @bufbuild/protobuf rather than with the generated schema, so
// a page that only shows the server's errors does not ship the 70 KB
// descriptor of buf/validate/validate.proto.

import { ConnectError } from "@connectrpc/connect";
import { protoCamelCase } from "@bufbuild/protobuf/reflect";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";

/** One broken rule, named by the field it concerns. */
export interface FieldViolation {
  /**
   * Dotted path of the field, in camelCase (the TypeScript property names),
   * with list subscripts and map keys: "hardware", "namePatch.threadColor",
   * "lines[1].design.size", `labels["k"]`. Relative to the message validated
   * (or to `relativeTo`); empty when the rule concerns that message as a
   * whole.
   */
  path: string;
  /**
   * The rule's stable id: a standard rule such as "string.max_len" or
   * "required", or a contract's own rule such as "hardware.leather_hardware"
   * (see Catalog.rules). Use it to pick your own wording when you need to.
   */
  ruleId: string;
  /** The contract's sentence for the rule, to show next to the field. */
  message: string;
}

/** Options of {@link violationsOf} and of validate() in /validation. */
export interface ViolationOptions {
  /**
   * Keep only the violations under this path and make their paths relative
   * to it: with `relativeTo: "design"`, the server's "design.name_patch.text"
   * becomes "namePatch.text", what validating the Design itself in the page
   * gives. camelCase or snake_case; subscripts allowed ("lines[1].design").
   */
  relativeTo?: string;
}

/** The type name of the error detail that carries the broken rules. */
const violationsType = "buf.validate.Violations";

/**
 * Reads the broken rules out of an error a call threw: the
 * buf.validate.Violations detail of an InvalidArgument ConnectError. Paths
 * are camelCase and relative to the request message ("design.namePatch.text"
 * for a CreateDesign request), or to `options.relativeTo`. Returns an empty
 * list for any other error, so it is safe in any `catch`.
 *
 * ```ts
 * try {
 *   await designs.createDesign({ name, design });
 * } catch (err) {
 *   const errors = fieldErrors(violationsOf(err, { relativeTo: "design" }));
 *   // errors["namePatch.text"] === "…", the same key validate(DesignSchema, design) gives
 * }
 * ```
 */
export function violationsOf(err: unknown, options: ViolationOptions = {}): FieldViolation[] {
  if (!(err instanceof ConnectError)) {
    return [];
  }
  const out: FieldViolation[] = [];
  for (const detail of err.details) {
    if ("type" in detail && detail.type === violationsType) {
      out.push(...decodeViolations(detail.value));
    }
  }
  return relativize(out, options.relativeTo);
}

/**
 * The first message of each path, for a form: `errors[path]` is the text to
 * show next to the input of that field; the whole message's errors are under
 * "". Later violations of a path that already has one are dropped; use the
 * list itself to show them all.
 */
export function fieldErrors(violations: readonly FieldViolation[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of violations) {
    if (!Object.hasOwn(out, v.path)) {
      out[v.path] = v.message;
    }
  }
  return out;
}

/**
 * Keeps the violations under prefix and strips it from their paths. An
 * undefined or empty prefix keeps every violation as it is.
 *
 * @internal shared with validation.ts
 */
export function relativize(violations: FieldViolation[], prefix: string | undefined): FieldViolation[] {
  if (prefix === undefined || prefix === "") {
    return violations;
  }
  const p = camelPath(prefix);
  const out: FieldViolation[] = [];
  for (const v of violations) {
    if (v.path === p) {
      out.push({ ...v, path: "" });
    } else if (v.path.startsWith(p) && (v.path[p.length] === "." || v.path[p.length] === "[")) {
      const rest = v.path.slice(p.length);
      out.push({ ...v, path: rest.startsWith(".") ? rest.slice(1) : rest });
    }
  }
  return out;
}

/**
 * Converts each field name of a dotted path to camelCase, leaving subscripts
 * alone: "lines[1].name_patch" → "lines[1].namePatch".
 */
function camelPath(path: string): string {
  return path
    .split(".")
    .map((seg) => {
      const sub = seg.indexOf("[");
      return sub < 0 ? protoCamelCase(seg) : protoCamelCase(seg.slice(0, sub)) + seg.slice(sub);
    })
    .join(".");
}

/**
 * Appends one path element: a field name (already camelCase) or a
 * subscript ("[1]", `["k"]`, "[pkg.ext]").
 *
 * @internal shared with validation.ts
 */
export function joinPath(path: string, element: string): string {
  if (element.startsWith("[") || path === "") {
    return path + element;
  }
  return `${path}.${element}`;
}

// decodeViolations decodes a buf.validate.Violations message:
//   Violations        { repeated Violation violations = 1; }
//   Violation         { FieldPath field = 5; string rule_id = 2; string message = 3; ... }
//   FieldPath         { repeated FieldPathElement elements = 1; }
//   FieldPathElement  { string field_name = 2; oneof subscript { uint64 index = 6;
//                       bool bool_key = 7; int64 int_key = 8; uint64 uint_key = 9;
//                       string string_key = 10; } ... }
// Fields it does not need are skipped.
function decodeViolations(bytes: Uint8Array): FieldViolation[] {
  const out: FieldViolation[] = [];
  each(new BinaryReader(bytes), (r, no, wt) => {
    if (no === 1 && wt === WireType.LengthDelimited) {
      out.push(decodeViolation(r.bytes()));
      return true;
    }
    return false;
  });
  return out;
}

function decodeViolation(bytes: Uint8Array): FieldViolation {
  const v: FieldViolation = { path: "", ruleId: "", message: "" };
  each(new BinaryReader(bytes), (r, no, wt) => {
    if (wt !== WireType.LengthDelimited) {
      return false;
    }
    switch (no) {
      case 5:
        v.path = decodeFieldPath(r.bytes());
        return true;
      case 2:
        v.ruleId = r.string();
        return true;
      case 3:
        v.message = r.string();
        return true;
      default:
        return false;
    }
  });
  return v;
}

function decodeFieldPath(bytes: Uint8Array): string {
  let path = "";
  each(new BinaryReader(bytes), (r, no, wt) => {
    if (no === 1 && wt === WireType.LengthDelimited) {
      for (const el of decodeElement(r.bytes())) {
        path = joinPath(path, el);
      }
      return true;
    }
    return false;
  });
  return path;
}

// decodeElement returns the path parts of one element: its field name
// (camelCase; an extension's "[full.name]" as is), then its subscript if any.
function decodeElement(bytes: Uint8Array): string[] {
  let name = "";
  let subscript = "";
  each(new BinaryReader(bytes), (r, no, wt) => {
    switch (no) {
      case 2:
        if (wt !== WireType.LengthDelimited) return false;
        name = r.string();
        return true;
      case 6:
      case 9:
        if (wt !== WireType.Varint) return false;
        subscript = `[${r.uint64().toString()}]`;
        return true;
      case 8:
        if (wt !== WireType.Varint) return false;
        subscript = `[${r.int64().toString()}]`;
        return true;
      case 7:
        if (wt !== WireType.Varint) return false;
        subscript = `[${String(r.bool())}]`;
        return true;
      case 10:
        if (wt !== WireType.LengthDelimited) return false;
        subscript = `[${JSON.stringify(r.string())}]`;
        return true;
      default:
        return false;
    }
  });
  const field = name.startsWith("[") ? name : protoCamelCase(name);
  return subscript === "" ? [field] : [field, subscript];
}

// each calls read for every field of the message in r; read consumes the
// field's value and returns true, or returns false to have it skipped.
function each(r: BinaryReader, read: (r: BinaryReader, no: number, wt: WireType) => boolean): void {
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (!read(r, no, wt)) {
      r.skip(wt, no);
    }
  }
}
