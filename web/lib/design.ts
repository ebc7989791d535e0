// The builder's form state and its conversion to and from the contract's
// Design, and the mapping of violation paths onto the form's fields.

import { Color, Hardware, Material, Size, Style, type Design, type DesignSchema, type MessageInitShape } from "./harness";

/** The builder form: every option of the catalog, as the inputs hold them. */
export interface DesignForm {
  style: Style;
  size: Size;
  material: Material;
  hardware: Hardware;
  webbingColor: Color;
  /** Color.UNSPECIFIED means no trim. */
  trimColor: Color;
  reflectiveTrim: boolean;
  backHandle: boolean;
  namePatch: { enabled: boolean; text: string; threadColor: Color };
  /** 0 means no leash. */
  leashMm: number;
  idTag: { enabled: boolean; engraving: string };
  /** Girths as typed; both empty means no measurements. */
  measurements: { chest: string; neck: string };
}

/** A sensible first design: a black nylon step-in harness in M. */
export const DEFAULT_FORM: DesignForm = {
  style: Style.STEP_IN,
  size: Size.M,
  material: Material.NYLON,
  hardware: Hardware.PLASTIC,
  webbingColor: Color.BLACK,
  trimColor: Color.UNSPECIFIED,
  reflectiveTrim: false,
  backHandle: false,
  namePatch: { enabled: false, text: "", threadColor: Color.YELLOW },
  leashMm: 0,
  idTag: { enabled: false, engraving: "" },
  measurements: { chest: "", neck: "" },
};

/** An error of the form's own (not a contract rule): field key → message. */
export type FieldErrors = Record<string, string>;

const GIRTH = /^\d{1,5}$/;

/**
 * Turns the form into the contract's Design. Girths that are not whole
 * numbers are the form's own errors (the contract's rules cannot see text);
 * the rest is left to the contract's validation.
 */
export function toDesign(form: DesignForm): { design: MessageInitShape<typeof DesignSchema>; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const design: MessageInitShape<typeof DesignSchema> = {
    style: form.style,
    size: form.size,
    material: form.material,
    hardware: form.hardware,
    webbingColor: form.webbingColor,
    reflectiveTrim: form.reflectiveTrim,
    backHandle: form.backHandle,
  };
  if (form.trimColor !== Color.UNSPECIFIED) design.trimColor = form.trimColor;
  if (form.namePatch.enabled) design.namePatch = { text: form.namePatch.text, threadColor: form.namePatch.threadColor };
  if (form.leashMm !== 0) design.leash = { lengthMm: form.leashMm };
  if (form.idTag.enabled) design.idTag = { engraving: form.idTag.engraving };
  const chest = form.measurements.chest.trim();
  const neck = form.measurements.neck.trim();
  if (chest !== "" || neck !== "") {
    if (!GIRTH.test(chest)) errors["measurements.chestGirthMm"] = "Enter the chest girth in whole millimetres.";
    if (!GIRTH.test(neck)) errors["measurements.neckGirthMm"] = "Enter the neck girth in whole millimetres.";
    if (GIRTH.test(chest) && GIRTH.test(neck)) {
      design.measurements = { chestGirthMm: Number(chest), neckGirthMm: Number(neck) };
    }
  }
  return { design, errors };
}

/** The form that shows a saved design. */
export function fromDesign(d: Design): DesignForm {
  return {
    style: d.style,
    size: d.size,
    material: d.material,
    hardware: d.hardware,
    webbingColor: d.webbingColor,
    trimColor: d.trimColor ?? Color.UNSPECIFIED,
    reflectiveTrim: d.reflectiveTrim,
    backHandle: d.backHandle,
    namePatch: d.namePatch
      ? { enabled: true, text: d.namePatch.text, threadColor: d.namePatch.threadColor }
      : { ...DEFAULT_FORM.namePatch },
    leashMm: d.leash?.lengthMm ?? 0,
    idTag: d.idTag ? { enabled: true, engraving: d.idTag.engraving } : { ...DEFAULT_FORM.idTag },
    measurements: d.measurements
      ? { chest: String(d.measurements.chestGirthMm), neck: String(d.measurements.neckGirthMm) }
      : { chest: "", neck: "" },
  };
}

/**
 * Groups violations by path (camelCase, relative to the message the form
 * edits: the client package gives the same paths for the page's checks and
 * the server's), keeping the first message of each field: several rules can
 * break on one field, and the first is the one to fix.
 */
export function errorsByField(violations: readonly { path: string; message: string }[]): FieldErrors {
  const out: FieldErrors = {};
  for (const v of violations) {
    out[v.path] ??= sentence(v.message);
  }
  return out;
}

/** Starts a message with a capital and ends it with a full stop. */
export function sentence(message: string): string {
  const m = message.trim();
  if (m === "") return m;
  const head = m[0].toUpperCase() + m.slice(1);
  return /[.!?]$/.test(head) ? head : `${head}.`;
}
