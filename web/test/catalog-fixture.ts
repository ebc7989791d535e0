// A catalog as the server sends it (docs: the spec's prices, palette and
// rules), for the unit tests of what the pages derive from a catalog. The
// browser tests use the real server's.

import { create } from "@harnesshero/client";
import { CatalogSchema, Color, Hardware, Material, Size, Style, type Catalog } from "@harnesshero/client/catalog";

export const CATALOG: Catalog = create(CatalogSchema, {
  styles: [
    { style: Style.STEP_IN, label: "Step-in", basePriceCents: 3400 },
    { style: Style.OVERHEAD, label: "Overhead", basePriceCents: 3800 },
    { style: Style.VEST, label: "Vest", basePriceCents: 4600 },
    { style: Style.NO_PULL, label: "No-pull", basePriceCents: 5200 },
  ],
  sizes: [
    { size: Size.XS, label: "XS", priceAdjustmentCents: -400 },
    { size: Size.S, label: "S", priceAdjustmentCents: -200 },
    { size: Size.M, label: "M", priceAdjustmentCents: 0 },
    { size: Size.L, label: "L", priceAdjustmentCents: 300 },
    { size: Size.XL, label: "XL", priceAdjustmentCents: 600 },
    { size: Size.XXL, label: "XXL", priceAdjustmentCents: 900 },
  ],
  materials: [
    { material: Material.NYLON, label: "Nylon", priceCents: 0 },
    { material: Material.PADDED_MESH, label: "Padded mesh", priceCents: 800 },
    { material: Material.LEATHER, label: "Leather", priceCents: 2400 },
  ],
  hardware: [
    { hardware: Hardware.PLASTIC, label: "Plastic", priceCents: 0 },
    { hardware: Hardware.ALUMINUM, label: "Aluminum", priceCents: 600 },
    { hardware: Hardware.STAINLESS, label: "Stainless steel", priceCents: 1100 },
  ],
  colors: [
    { color: Color.BLACK, label: "Black", hex: "#1b1b1b" },
    { color: Color.BROWN, label: "Brown", hex: "#6b4226" },
    { color: Color.NAVY, label: "Navy", hex: "#1f2a44" },
    { color: Color.RED, label: "Red", hex: "#b3202a" },
    { color: Color.TEAL, label: "Teal", hex: "#1f8a8a" },
    { color: Color.YELLOW, label: "Yellow", hex: "#f2c14e" },
  ],
  leashes: [
    { lengthMm: 1200, priceCents: 1800 },
    { lengthMm: 1800, priceCents: 2200 },
  ],
  options: {
    reflectiveTrimCents: 350,
    backHandleCents: 500,
    namePatchBaseCents: 700,
    namePatchIncludedChars: 6,
    namePatchExtraCharCents: 50,
    namePatchMaxChars: 12,
    idTagCents: 900,
    idTagMaxChars: 20,
  },
  rules: [
    { id: "hardware.leather_hardware", field: "hardware", description: "Leather needs aluminum or stainless steel hardware" },
    { id: "size.leather_size", field: "size", description: "Leather is not made in size XS" },
    { id: "back_handle.back_handle_size", field: "back_handle", description: "A back handle is not made in size XS" },
    { id: "trim_color.trim_color_distinct", field: "trim_color", description: "The trim colour must differ from the webbing colour" },
  ],
});
