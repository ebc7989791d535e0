// Small accessible form pieces: an error tied to its input by id, and the
// props that tie an input to it.

/** The id of a field's error message. */
export function errorId(key: string): string {
  return `err-${key.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

/** aria props of an input whose field may have an error. */
export function invalidProps(key: string, errors: Record<string, string>, hintId?: string) {
  const error = errors[key];
  const describedBy = [error ? errorId(key) : undefined, hintId].filter(Boolean).join(" ");
  return {
    "aria-invalid": error ? (true as const) : undefined,
    "aria-describedby": describedBy || undefined,
  };
}

/** The field's error message, if any, announced when it appears. */
export function FieldError({ name, errors }: { name: string; errors: Record<string, string> }) {
  const error = errors[name];
  if (!error) return null;
  return (
    <p className="error" id={errorId(name)} data-field={name} role="alert">
      {error}
    </p>
  );
}
