// Who is signed in, as the page knows it: the user (id, e-mail, name, admin
// at sign-in) kept in localStorage so that it survives a reload and is shared
// by the tabs, read through a tiny store that React subscribes to
// (useSyncExternalStore). No token: the session's tokens live in httpOnly
// cookies that only the app's server reads (lib/server-session.ts); when the
// server says the session is over (a call answers Unauthenticated), the
// transport forgets the user here.

/** What the page keeps of a session. */
export interface StoredSession {
  user: { id: string; email: string; displayName: string; admin: boolean };
}

/** The localStorage key; the browser tests read it. */
export const SESSION_KEY = "harness.user";
/** Where the tokens were kept before they moved into cookies: removed when seen. */
const OLD_KEY = "harness.session";

type Listener = () => void;
const listeners = new Set<Listener>();
let cached: { raw: string | null; value: StoredSession | null } = { raw: null, value: null };

function parse(raw: string | null): StoredSession | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<StoredSession>;
    if (v.user && typeof v.user.id === "string") return { user: v.user };
  } catch {
    // a garbled value is no session
  }
  return null;
}

/** The current session, or null (always null on the server). */
export function getSession(): StoredSession | null {
  if (typeof window === "undefined") return null;
  if (window.localStorage.getItem(OLD_KEY) !== null) window.localStorage.removeItem(OLD_KEY);
  const raw = window.localStorage.getItem(SESSION_KEY);
  if (raw !== cached.raw) cached = { raw, value: parse(raw) };
  return cached.value;
}

/** Stores who is signed in (null: nobody) and tells the subscribers. */
export function setSession(session: StoredSession | null): void {
  if (session === null) window.localStorage.removeItem(SESSION_KEY);
  else window.localStorage.setItem(SESSION_KEY, JSON.stringify({ user: session.user }));
  for (const l of listeners) l();
}

/** Subscribes to changes, from this tab and from others. */
export function subscribeSession(listener: Listener): () => void {
  listeners.add(listener);
  const onStorage = (e: StorageEvent) => {
    if (e.key === SESSION_KEY || e.key === null) listener();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", onStorage);
  };
}
