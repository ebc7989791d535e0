// Idempotency keys for creates (CreateOrder, CreateDesign): one key per
// user action, kept while the action's request stays the same — so a retry
// after a lost answer (a cut connection, a reload) sends the same key and
// the server answers what it made the first time instead of making it
// twice — and forgotten once the action succeeded, so the next action gets
// a new key. Keys live in sessionStorage, per tab.

/** The part of Storage the keys need (sessionStorage in the browser). */
export type KeyStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

interface Stored {
  key: string;
  fingerprint: string;
}

function storage(): KeyStorage {
  return window.sessionStorage;
}

/**
 * The key of the action `slot` for the request `fingerprint` (e.g. the
 * request as JSON): the stored one while the request is the same, else a
 * new one, `<prefix>-<uuid>` (letters, digits and -, as the contract asks).
 */
export function idempotencyKey(slot: string, prefix: string, fingerprint: string, store: KeyStorage = storage()): string {
  try {
    const stored = JSON.parse(store.getItem(slot) ?? "null") as Stored | null;
    if (stored && stored.fingerprint === fingerprint && typeof stored.key === "string") return stored.key;
  } catch {
    // a garbled value is replaced
  }
  const key = `${prefix}-${crypto.randomUUID()}`;
  store.setItem(slot, JSON.stringify({ key, fingerprint } satisfies Stored));
  return key;
}

/** Forgets the key of `slot`: its action succeeded. */
export function forgetIdempotencyKey(slot: string, store: KeyStorage = storage()): void {
  store.removeItem(slot);
}
