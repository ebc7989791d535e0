"use client";

// Size advice from the pet's measurements: RecommendSize once both girths
// are whole millimetres in range, and a button to take the advice.

import { skipToken, useQuery } from "@connectrpc/connect-query";

import type { DesignForm } from "@/lib/design";
import { CatalogService, type Catalog, type Size } from "@/lib/harness";
import { FieldError, invalidProps } from "./field";

export function SizeAdvice({
  catalog,
  form,
  errors,
  onMeasurements,
  onUseSize,
  onBlur,
}: {
  catalog: Catalog;
  form: DesignForm;
  errors: Record<string, string>;
  onMeasurements: (m: DesignForm["measurements"]) => void;
  onUseSize: (size: Size) => void;
  /** Called with the field's path when a girth input loses focus. */
  onBlur?: (field: string) => void;
}) {
  const { chest, neck } = form.measurements;
  const { minGirthMm, maxGirthMm } = catalog.pricing!;
  const inRange = (t: string) => /^\d+$/.test(t) && Number(t) >= minGirthMm && Number(t) <= maxGirthMm;
  const ready = inRange(chest) && inRange(neck);
  const advice = useQuery(
    CatalogService.method.recommendSize,
    ready ? { measurements: { chestGirthMm: Number(chest), neckGirthMm: Number(neck) } } : skipToken,
  );
  const label = (s: Size) => catalog.sizes.find((x) => x.size === s)?.label ?? String(s);
  const a = advice.data;
  const sizeError = Boolean(errors.size);

  return (
    <div>
      <p className="hint" id="size-hint">
        Not sure? Measure your dog (in millimetres) and we will suggest a size. With measurements, the size you pick
        must fit them.
      </p>
      <div className="row" style={{ alignItems: "start" }}>
        <div className="field">
          <label htmlFor="chest">Chest girth (mm)</label>
          <input
            id="chest"
            type="number"
            inputMode="numeric"
            min={minGirthMm}
            max={maxGirthMm}
            value={chest}
            onChange={(e) => onMeasurements({ chest: e.target.value, neck })}
            onBlur={() => onBlur?.("measurements.chestGirthMm")}
            {...invalidProps("measurements.chestGirthMm", errors)}
          />
          <FieldError name="measurements.chestGirthMm" errors={errors} />
        </div>
        <div className="field">
          <label htmlFor="neck">Neck girth (mm)</label>
          <input
            id="neck"
            type="number"
            inputMode="numeric"
            min={minGirthMm}
            max={maxGirthMm}
            value={neck}
            onChange={(e) => onMeasurements({ chest, neck: e.target.value })}
            onBlur={() => onBlur?.("measurements.neckGirthMm")}
            {...invalidProps("measurements.neckGirthMm", errors)}
          />
          <FieldError name="measurements.neckGirthMm" errors={errors} />
        </div>
      </div>
      <div aria-live="polite" data-testid="size-advice">
        {/* When the size field already says the size does not fit (the
            server's message names the size to take), the advice adds only
            the button: one message, not the same one twice. */}
        {a ? (
          a.fits ? (
            sizeError ? (
              form.size !== a.size ? (
                <button type="button" className="small" onClick={() => onUseSize(a.size)}>
                  Use {label(a.size)}
                </button>
              ) : null
            ) : (
              <p className="notice">
                We recommend <strong>{label(a.size)}</strong>
                {a.fittingSizes.length > 1 ? ` (fits: ${a.fittingSizes.map(label).join(", ")})` : ""}.{" "}
                {form.size !== a.size ? (
                  <button type="button" className="small" onClick={() => onUseSize(a.size)}>
                    Use {label(a.size)}
                  </button>
                ) : null}
              </p>
            )
          ) : sizeError ? null : (
            <p className="alert">No size fits these measurements: {a.reason}</p>
          )
        ) : null}
      </div>
    </div>
  );
}
