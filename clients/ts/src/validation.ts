/**
 * @harnesshero/client/validation: the contracts' own rules, checked in the
 * page before a message is sent (protovalidate: field rules and the
 * cross-field CEL rules), in the same shape as the server's errors
 * (violationsOf). It loads protovalidate's CEL and RE2 engines and the
 * buf.validate descriptors: import it only from pages that validate.
 *
 * ```ts
 * const { valid, violations } = validate(DesignSchema, design);
 * const errors = fieldErrors(violations); // errors["namePatch.text"], errors["hardware"], ...
 * ```
 *
 * @module
 */

import { create, createRegistry, type DescField, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { protoCamelCase, type Path } from "@bufbuild/protobuf/reflect";
import { createValidator, type Validator, type Violation } from "@bufbuild/protovalidate";

import { DesignSchema } from "./gen/harness/builder/v1/design_pb.js";
import { file_harness_validate_v1_rules } from "./gen/harness/validate/v1/rules_pb.js";
import { joinPath, type FieldViolation } from "./violations.js";

export { fieldErrors, violationsOf, type FieldViolation, type ViolationOptions } from "./violations.js";

// The error detail of validation errors, for callers that want the raw
// buf.validate.Violations rather than violationsOf's plain shape. The whole
// buf.validate package is also available as the `bufValidate` namespace.
export {
  ViolationsSchema,
  ViolationSchema,
  FieldPathSchema,
  FieldPathElementSchema,
  type Violations,
  type Violation,
  type FieldPath,
  type FieldPathElement,
} from "./gen/buf/validate/validate_pb.js";
export * as bufValidate from "./gen/buf/validate/validate_pb.js";

/** The outcome of {@link validate}. */
export interface ValidationOutcome {
  /** True when no rule is broken. */
  valid: boolean;
  /** Every broken rule; empty when valid. */
  violations: FieldViolation[];
}

let sharedValidator: Validator | undefined;

// The validator compiles each message type's rules once and keeps them, so
// one instance serves every call. It knows the contracts' shared predefined
// rules (harness.validate.v1, e.g. no_nul), which it could not compile
// otherwise.
function validator(): Validator {
  sharedValidator ??= createValidator({ registry: createRegistry(file_harness_validate_v1_rules) });
  return sharedValidator;
}

/**
 * Validates a message against the rules of its contract (field rules and
 * message-level CEL rules), locally and synchronously: no network call.
 *
 * Paths are camelCase and relative to the message validated, exactly as
 * violationsOf gives them for the server's error: validating a Design gives
 * "namePatch.text", a CreateDesignRequest "design.namePatch.text" (and
 * violationsOf(err, { relativeTo: "design" }) "namePatch.text"). A
 * message-level rule is reported on the field its id names, as the server
 * does: "hardware.leather_hardware" on "hardware".
 *
 * The server checks more than the contract can say (a size must fit the
 * pet's measurements, rule 10 of the catalog), so a valid outcome here does
 * not promise the server will accept the message.
 *
 * Throws when the rules themselves cannot be compiled or evaluated.
 */
export function validate<Desc extends DescMessage>(
  schema: Desc,
  message: MessageInitShape<Desc>,
): ValidationOutcome {
  const result = validator().validate(schema, create(schema, message));
  switch (result.kind) {
    case "valid":
      return { valid: true, violations: [] };
    case "invalid":
      return { valid: false, violations: result.violations.map((v) => fromViolation(schema, v)) };
    default:
      throw result.error;
  }
}

/**
 * Validates one harness design with the catalog's rules 1-9 and 11 before it
 * is sent (see {@link validate}). Paths are relative to the design:
 * "hardware", "namePatch.text", ...
 */
export function validateDesign(design: MessageInitShape<typeof DesignSchema>): ValidationOutcome {
  return validate(DesignSchema, design);
}

function fromViolation(schema: DescMessage, v: Violation): FieldViolation {
  let path = renderPath(v.field);
  for (const name of anchorOf(schema, v.field, v.ruleId) ?? []) {
    path = joinPath(path, name);
  }
  return { path, ruleId: v.ruleId, message: v.message };
}

// renderPath renders a protovalidate path the way violationsOf renders the
// server's: camelCase field names, "[i]" list subscripts, `["k"]` map keys.
function renderPath(path: Path): string {
  let s = "";
  for (const el of path) {
    switch (el.kind) {
      case "field":
      case "oneof":
        s = joinPath(s, protoCamelCase(el.name));
        break;
      case "extension":
        s = joinPath(s, `[${el.typeName}]`);
        break;
      case "list_sub":
        s = joinPath(s, `[${el.index}]`);
        break;
      case "map_sub":
        s = joinPath(s, typeof el.key === "string" ? `[${JSON.stringify(el.key)}]` : `[${String(el.key)}]`);
        break;
    }
  }
  return s;
}

// anchorOf mirrors the server's anchoring (platform/validation): when a
// violation's path ends on a message, and the part of its rule id before the
// last dot names a field path of that message, the violation belongs to that
// field. It returns the path elements to append (camelCase), or undefined.
function anchorOf(root: DescMessage, path: Path, ruleId: string): string[] | undefined {
  const desc = messageAt(root, path);
  const dot = ruleId.lastIndexOf(".");
  if (desc === undefined || dot < 0) {
    return undefined;
  }
  return resolveFieldPath(desc, ruleId.slice(0, dot));
}

// messageAt returns the message a path ends on, or undefined when it ends on
// a scalar, a map, or a list without a subscript.
function messageAt(root: DescMessage, path: Path): DescMessage | undefined {
  let desc: DescMessage | undefined = root;
  let list: DescField | undefined;
  for (const el of path) {
    switch (el.kind) {
      case "field":
        if (desc === undefined || list !== undefined) {
          return undefined;
        }
        if (el.fieldKind === "message") {
          desc = el.message;
        } else if (el.fieldKind === "list" && el.listKind === "message") {
          list = el;
          desc = undefined;
        } else {
          return undefined;
        }
        break;
      case "list_sub":
        if (list === undefined || list.fieldKind !== "list" || list.listKind !== "message") {
          return undefined;
        }
        desc = list.message;
        list = undefined;
        break;
      default:
        return undefined;
    }
  }
  return list === undefined ? desc : undefined;
}

// resolveFieldPath checks that a dotted path of proto field names such as
// "name_patch.thread_color" or "lines[2].design" names fields of desc, and
// returns its elements in camelCase; undefined when a segment names no field.
function resolveFieldPath(desc: DescMessage, path: string): string[] | undefined {
  const out: string[] = [];
  let cur: DescMessage | undefined = desc;
  for (const seg of path.split(".")) {
    if (cur === undefined) {
      return undefined;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?$/.exec(seg);
    if (m === null) {
      return undefined;
    }
    const [, name, index] = m;
    const field: DescField | undefined = cur.fields.find((f) => f.name === name);
    if (field === undefined) {
      return undefined;
    }
    if (index !== undefined && field.fieldKind !== "list") {
      return undefined;
    }
    out.push(protoCamelCase(field.name));
    if (index !== undefined) {
      out.push(`[${index}]`);
    }
    cur = field.message;
  }
  return out;
}
