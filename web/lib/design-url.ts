// The design in progress in the page's address, so it survives a reload and
// Back: the Design message in the contract's binary encoding, base64url
// ("?d=…"), and the quantity ("&q=…"). Girths typed but not yet whole
// numbers are not kept (the Design cannot hold them).

import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { base64Decode, base64Encode } from "@bufbuild/protobuf/wire";

import { fromDesign, type DesignForm } from "./design";
import { DesignSchema, type Design } from "./harness";
import type { DesignInit } from "./options";

/** The d parameter of a design. */
export function encodeDesign(design: DesignInit): string {
  return base64Encode(toBinary(DesignSchema, create(DesignSchema, design)), "url");
}

/** The Design an encoded design (a d parameter, a cart's line) holds, or undefined when it is not one. */
export function decodeDesignMessage(param: string): Design | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(param)) return undefined;
  try {
    const d = fromBinary(DesignSchema, base64Decode(param));
    if (d.style === 0 || d.size === 0 || d.material === 0 || d.hardware === 0 || d.webbingColor === 0) return undefined;
    return d;
  } catch {
    return undefined;
  }
}

/** The form a d parameter holds, or undefined when it is not a design. */
export function decodeDesign(param: string): DesignForm | undefined {
  const d = decodeDesignMessage(param);
  return d ? fromDesign(d) : undefined;
}

/** The builder's address: the saved design's id (if any), the design and the quantity. */
export function builderSearch(designId: string | undefined, design: DesignInit, quantity: string): string {
  const p = new URLSearchParams();
  if (designId) p.set("design", designId);
  p.set("d", encodeDesign(design));
  if (quantity !== "1") p.set("q", quantity);
  return `?${p.toString()}`;
}
