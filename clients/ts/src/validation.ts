// Client-side validation with the contract's own rules, and the reading of the
// server's validation errors, both in one plain shape a form can show.

import { create, createRegistry, type DescField, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { pathToString, type Path } from "@bufbuild/protobuf/reflect";
import { createValidator, type Validator, type Violation } from "@bufbuild/protovalidate";
import { ConnectError } from "@connectrpc/connect";

import { ViolationsSchema, type FieldPathElement } from "./gen/buf/validate/validate_pb.js";
import { DesignSchema } from "./gen/harness/builder/v1/design_pb.js";
import { file_harness_validate_v1_rules } from "./gen/harness/validate/v1/rules_pb.js";

/** One broken rule, named by the field it concerns. */
export interface FieldViolation {
  /**
   * Dotted path of the field from the validated message, with list
   * subscripts, using the proto field names: "hardware",
   * "name_patch.thread_color", "design.hardware", "lines[1].design.size".
   * Empty when the rule concerns the message as a whole.
   */
  field: string;
  /**
   * The rule's stable id: a standard rule such as "string.pattern" or
   * "required", or one of the catalog's rules such as
   * "hardware.leather_hardware" (see Catalog.rules).
   */
  ruleId: string;
  /** A human sentence saying what is wrong. */
  message: string;
}

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
 * Violations of message-level rules are anchored on the field their rule id
 * names, as the server does: the rule "hardware.leather_hardware" of a Design
 * is reported on "hardware", of a QuoteRequest's design on "design.hardware".
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
 * is sent (see {@link validate}). Field paths are relative to the design:
 * "hardware", "name_patch.text", ...
 */
export function validateDesign(design: MessageInitShape<typeof DesignSchema>): ValidationOutcome {
  return validate(DesignSchema, design);
}

/**
 * Reads the broken rules out of an error returned by a call: the
 * buf.validate.Violations detail of an InvalidArgument ConnectError. Field
 * paths are relative to the request message, e.g. "design.hardware" or
 * "lines[1].design.size". Returns an empty list for any other error.
 */
export function violationsOf(err: unknown): FieldViolation[] {
  if (!(err instanceof ConnectError)) {
    return [];
  }
  const out: FieldViolation[] = [];
  for (const detail of err.findDetails(ViolationsSchema)) {
    for (const v of detail.violations) {
      out.push({
        field: fieldPathString(v.field?.elements ?? []),
        ruleId: v.ruleId,
        message: v.message,
      });
    }
  }
  return out;
}

function fromViolation(schema: DescMessage, v: Violation): FieldViolation {
  const base = pathToString(v.field);
  const anchor = anchorOf(schema, v.field, v.ruleId);
  const field = anchor === undefined ? base : base === "" ? anchor : `${base}.${anchor}`;
  return { field, ruleId: v.ruleId, message: v.message };
}

// anchorOf mirrors the server's anchoring: when a violation's path ends on a
// message, and the part of its rule id before the last dot names a field path
// of that message, the violation belongs to that field. It returns the
// relative path to append, or undefined.
function anchorOf(root: DescMessage, path: Path, ruleId: string): string | undefined {
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

// resolveFieldPath checks that a dotted path such as "name_patch.thread_color"
// or "lines[2].design" names fields of desc, and returns it; undefined when a
// segment names no field.
function resolveFieldPath(desc: DescMessage, path: string): string | undefined {
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
    cur = field.message;
  }
  return path;
}

// fieldPathString renders a buf.validate.FieldPath the way pathToString of
// @bufbuild/protobuf renders a Path: "lines[1].design.size", "labels[\"k\"]".
function fieldPathString(elements: FieldPathElement[]): string {
  let s = "";
  for (const el of elements) {
    if (el.fieldName.startsWith("[")) {
      s += el.fieldName; // an extension, already "[full.name]"
    } else {
      s += (s === "" ? "" : ".") + el.fieldName;
    }
    const sub = el.subscript;
    switch (sub.case) {
      case "index":
      case "intKey":
      case "uintKey":
      case "boolKey":
        s += `[${String(sub.value)}]`;
        break;
      case "stringKey":
        s += `[${JSON.stringify(sub.value)}]`;
        break;
      default:
        break;
    }
  }
  return s;
}
