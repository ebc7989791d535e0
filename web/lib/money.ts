// Money is integer US cents everywhere (docs/spec/catalog.md): formatting
// works on the integer, never on a float of dollars.

const MINUS = "\u2212"; // a real minus sign, for size adjustments below zero

/**
 * Formats integer cents as US dollars: 12345 → "$123.45", -400 → "−$4.00",
 * 123456789 → "$1,234,567.89". Throws on a non-integer, which would be a bug
 * upstream (the API sends int32 cents).
 */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) {
    throw new RangeError(`formatCents: ${cents} is not a whole number of cents`);
  }
  const abs = Math.abs(cents);
  const dollars = String((abs - (abs % 100)) / 100).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const rest = String(abs % 100).padStart(2, "0");
  return `${cents < 0 ? MINUS : ""}$${dollars}.${rest}`;
}

/** Like {@link formatCents} with a "+" before amounts above zero: "+$3.00". */
export function formatSignedCents(cents: number): string {
  return cents > 0 ? `+${formatCents(cents)}` : formatCents(cents);
}

/** A count in basis points as a percentage with two decimals: 1234 → "12.34%". */
export function formatBasisPoints(bp: number): string {
  if (!Number.isSafeInteger(bp)) {
    throw new RangeError(`formatBasisPoints: ${bp} is not a whole number`);
  }
  const abs = Math.abs(bp);
  return `${bp < 0 ? MINUS : ""}${(abs - (abs % 100)) / 100}.${String(abs % 100).padStart(2, "0")}%`;
}
