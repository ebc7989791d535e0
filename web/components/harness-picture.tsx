// A picture of a harness design, drawn as SVG from the design and the
// catalog (the palette's hex colours and the labels): the style's cut, the
// webbing and trim colours, the material's finish, the hardware, the name
// patch in its thread colour, and the leash and ID tag when chosen. A pure
// function of its props: the same design draws the same picture anywhere.

import { Hardware, Material, Style, type Catalog, type Color } from "@/lib/harness";
import { describeDesign, type DesignLike } from "@/lib/labels";

/** Display colours of the hardware finishes (the catalog has labels only). */
const FINISH: Record<number, { fill: string; shine: string }> = {
  [Hardware.PLASTIC]: { fill: "#2f3237", shine: "#55595f" },
  [Hardware.ALUMINUM]: { fill: "#b9c3cd", shine: "#e9eef3" },
  [Hardware.STAINLESS]: { fill: "#8d969f", shine: "#f4f6f8" },
};

const DOG = "#e6e2dc";
const DOG_LINE = "#b9b2a8";

/** The hex of a palette colour, or fallback when the catalog lacks it. */
function hexOf(catalog: Catalog, color: Color | undefined, fallback: string): string {
  return catalog.colors.find((c) => c.color === color)?.hex || fallback;
}

// The straps of each style, as SVG paths over the dog (side view, head on
// the left). Each style has its own cut, so each draws differently.
const STRAPS: Record<number, string[]> = {
  // Step-in: loops around the front legs, joined on the back.
  [Style.STEP_IN]: ["M108 78 Q112 120 122 150", "M150 74 Q146 118 140 150", "M108 78 L150 74", "M122 150 Q131 158 140 150"],
  // Overhead: a collar-like neck strap, a girth strap and a strap between.
  [Style.OVERHEAD]: ["M100 62 Q92 100 100 128", "M160 72 Q164 112 156 152", "M100 66 L160 74", "M100 128 Q128 146 156 152"],
  // No-pull: a chest strap across the front with a ring, and a girth strap.
  [Style.NO_PULL]: ["M104 70 Q80 104 96 136", "M150 72 Q154 112 146 152", "M104 70 L150 72", "M96 136 L146 152"],
  // Vest: a panel, drawn separately; its edges are straps.
  [Style.VEST]: ["M100 68 Q90 104 102 140", "M184 74 Q188 112 180 150"],
};

const VEST_PANEL = "M100 68 Q142 58 184 74 Q188 112 180 150 Q142 160 102 140 Q90 104 100 68 Z";

/** Where the leash and tag hang from: the back ring, or the chest ring of a no-pull. */
function ringOf(style: Style): { x: number; y: number } {
  return style === Style.NO_PULL ? { x: 86, y: 104 } : { x: 136, y: 68 };
}

export interface HarnessPictureProps {
  catalog: Catalog;
  design: DesignLike | undefined;
  /** Shown width in CSS pixels; the height follows. */
  width?: number;
  /** A name for the picture's test id, e.g. "builder". */
  id?: string;
  /** Next to the design in words (a list): hidden from assistive technology. */
  decorative?: boolean;
}

export function HarnessPicture({ catalog, design, width = 320, id, decorative }: HarnessPictureProps) {
  if (!design) return null;
  const style = design.style ?? Style.STEP_IN;
  const webbing = hexOf(catalog, design.webbingColor, "#222222");
  const trim = design.trimColor ? hexOf(catalog, design.trimColor, webbing) : undefined;
  const finish = FINISH[design.hardware ?? Hardware.PLASTIC] ?? FINISH[Hardware.PLASTIC];
  const strap = design.material === Material.PADDED_MESH ? 13 : 9;
  const straps = STRAPS[style] ?? STRAPS[Style.STEP_IN];
  const ring = ringOf(style);
  const patch = design.namePatch;
  const thread = patch ? hexOf(catalog, patch.threadColor, "#ffffff") : undefined;
  const leashLong = (design.leash?.lengthMm ?? 0) > 1200;
  const label = `Picture of the harness: ${describeDesign(catalog, design)}`;

  return (
    <svg
      className="harness-picture"
      viewBox="0 0 320 220"
      width={width}
      height={Math.round((width * 220) / 320)}
      {...(decorative ? { "aria-hidden": true, focusable: "false" } : { role: "img", "aria-label": label })}
      data-testid={id ? `picture-${id}` : "picture"}
      data-style={Style[style]}
      data-webbing={webbing}
      data-trim={trim ?? ""}
      data-hardware={Hardware[design.hardware ?? Hardware.PLASTIC]}
      data-material={Material[design.material ?? Material.NYLON]}
    >
      {decorative ? null : <title>{label}</title>}
      {/* The dog: body, legs, head, ear and tail. */}
      <g fill={DOG} stroke={DOG_LINE} strokeWidth="2">
        <path d="M230 92 Q262 70 274 52" fill="none" strokeWidth="7" strokeLinecap="round" />
        <rect x="112" y="128" width="16" height="70" rx="7" />
        <rect x="138" y="128" width="16" height="70" rx="7" />
        <rect x="200" y="128" width="16" height="70" rx="7" />
        <rect x="224" y="128" width="16" height="70" rx="7" />
        <ellipse cx="172" cy="108" rx="80" ry="42" />
        <path d="M112 86 Q92 60 84 44 L112 42 Q126 64 132 80 Z" />
        <ellipse cx="78" cy="44" rx="30" ry="24" />
        <ellipse cx="50" cy="52" rx="16" ry="11" />
        <path d="M82 26 Q96 22 98 48 Q88 46 82 26 Z" fill="#cfc8bd" />
      </g>
      <circle cx="70" cy="38" r="3" fill="#2a2a2a" />
      <circle cx="36" cy="50" r="4" fill="#2a2a2a" />

      {/* The harness: a vest's panel, then the straps (trim under, webbing over). */}
      {style === Style.VEST ? (
        <path d={VEST_PANEL} fill={webbing} stroke={trim ?? webbing} strokeWidth={trim ? 5 : 2} data-layer="panel" />
      ) : null}
      <g fill="none" strokeLinecap="round" strokeLinejoin="round">
        {trim ? straps.map((d) => <path key={`t${d}`} d={d} stroke={trim} strokeWidth={strap + 5} data-layer="trim" />) : null}
        {straps.map((d) => (
          <path key={d} d={d} stroke={webbing} strokeWidth={strap} data-layer="webbing" />
        ))}
        {design.material === Material.LEATHER
          ? straps.map((d) => <path key={`s${d}`} d={d} stroke="#f3e6cf" strokeWidth="1.2" strokeDasharray="3 3" data-layer="stitching" />)
          : null}
        {design.material === Material.PADDED_MESH
          ? straps.map((d) => <path key={`m${d}`} d={d} stroke="#ffffff" strokeOpacity="0.35" strokeWidth="4" strokeDasharray="1 3" data-layer="mesh" />)
          : null}
        {design.reflectiveTrim
          ? straps.map((d) => <path key={`r${d}`} d={d} stroke="#f5f7fa" strokeWidth="1.6" strokeDasharray="6 4" data-layer="reflective" />)
          : null}
      </g>

      {design.backHandle ? (
        <path d="M150 70 Q160 44 176 70" fill="none" stroke={webbing} strokeWidth="6" strokeLinecap="round" data-layer="handle" />
      ) : null}

      {/* Hardware: a buckle on the girth strap and the ring. */}
      <g data-layer="hardware">
        <rect x="132" y="140" width="18" height="12" rx="3" fill={finish.fill} stroke="#1d2330" strokeWidth="1" />
        <rect x="136" y="143" width="10" height="3" rx="1" fill={finish.shine} />
        <circle cx={ring.x} cy={ring.y} r="7" fill="none" stroke={finish.fill} strokeWidth="4" />
        <circle cx={ring.x} cy={ring.y} r="7" fill="none" stroke={finish.shine} strokeWidth="1" strokeDasharray="4 8" />
      </g>

      {patch ? (
        <g data-layer="name-patch">
          <rect x="168" y="92" width="72" height="26" rx="5" fill={webbing} stroke={thread} strokeWidth="1.5" />
          <text
            x="204"
            y="110"
            textAnchor="middle"
            fill={thread}
            fontSize={(patch.text ?? "").length > 8 ? 9 : 12}
            fontWeight="700"
            fontFamily="system-ui, sans-serif"
            data-testid="patch-text"
          >
            {patch.text}
          </text>
        </g>
      ) : null}

      {design.leash ? (
        <g data-layer="leash" data-length={design.leash.lengthMm}>
          <path
            d={leashLong ? `M${ring.x} ${ring.y} Q${ring.x + 70} -40 300 40` : `M${ring.x} ${ring.y} Q${ring.x + 50} 0 250 20`}
            fill="none"
            stroke={webbing}
            strokeWidth="5"
            strokeLinecap="round"
          />
          <ellipse cx={leashLong ? 300 : 250} cy={leashLong ? 40 : 20} rx="9" ry="14" fill="none" stroke={webbing} strokeWidth="5" />
        </g>
      ) : null}

      {design.idTag ? (
        <g data-layer="id-tag">
          <line x1="104" y1="80" x2="104" y2="92" stroke={finish.fill} strokeWidth="2" />
          <circle cx="104" cy="100" r="9" fill={finish.fill} stroke="#1d2330" strokeWidth="1" />
          <title>{`ID tag: ${design.idTag.engraving ?? ""}`}</title>
        </g>
      ) : null}
    </svg>
  );
}
