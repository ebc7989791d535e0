// A design in words, with the catalog's own labels.

import type { Catalog, Color, Hardware, Material, Size, Style } from "./harness";

/**
 * What describing or drawing a design reads: a saved Design and the
 * builder's Design init both fit.
 */
export interface DesignLike {
  style?: Style;
  size?: Size;
  material?: Material;
  hardware?: Hardware;
  webbingColor?: Color;
  trimColor?: Color;
  reflectiveTrim?: boolean;
  backHandle?: boolean;
  namePatch?: { text?: string; threadColor?: Color };
  leash?: { lengthMm?: number };
  idTag?: { engraving?: string };
}

/** e.g. "No-pull · L · Leather · Stainless steel · Black webbing". */
export function describeDesign(catalog: Catalog, d: DesignLike | undefined): string {
  if (!d) return "";
  const style = catalog.styles.find((s) => s.style === d.style)?.label;
  const size = catalog.sizes.find((s) => s.size === d.size)?.label;
  const material = catalog.materials.find((m) => m.material === d.material)?.label;
  const hardware = catalog.hardware.find((h) => h.hardware === d.hardware)?.label;
  const color = catalog.colors.find((c) => c.color === d.webbingColor)?.label;
  const extras = [
    d.trimColor ? `${catalog.colors.find((c) => c.color === d.trimColor)?.label ?? ""} trim` : "",
    d.reflectiveTrim ? "reflective" : "",
    d.backHandle ? "back handle" : "",
    d.namePatch ? `“${d.namePatch.text ?? ""}” patch` : "",
    d.leash ? `${d.leash.lengthMm ?? 0} mm leash` : "",
    d.idTag ? "ID tag" : "",
  ].filter(Boolean);
  return [style, size, material, hardware, color ? `${color} webbing` : "", ...extras].filter(Boolean).join(" · ");
}
