// The signed-in user's session in the browser: kept in localStorage so it
// survives a reload and is shared by the tabs, read through a tiny store that
// React subscribes to (useSyncExternalStore), and given to the client's auth
// interceptor as its token store.

import type { SessionTokens, TokenStore } from "@harnesshero/client";

import { clearSpent } from "./refresh-handoff";

/** What the app keeps of a session. */
export interface StoredSession extends SessionTokens {
  user: { id: string; email: string; displayName: string; admin: boolean };
}

/** The localStorage key; the browser tests read and tamper it. */
export const SESSION_KEY = "harness.session";

type Listener = () => void;
const listeners = new Set<Listener>();
let cached: { raw: string | null; value: StoredSession | null } = { raw: null, value: null };

function parse(raw: string | null): StoredSession | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<StoredSession>;
    if (typeof v.accessToken === "string" && typeof v.refreshToken === "string" && v.user && typeof v.user.id === "string") {
      return v as StoredSession;
    }
  } catch {
    // a garbled value is no session
  }
  return null;
}

/** The current session, or null (always null on the server). */
export function getSession(): StoredSession | null {
  if (typeof window === "undefined") return null;
  const raw = window.localStorage.getItem(SESSION_KEY);
  if (raw !== cached.raw) cached = { raw, value: parse(raw) };
  return cached.value;
}

/** Stores a session (null signs out locally) and tells the subscribers. */
export function setSession(session: StoredSession | null): void {
  if (session === null) {
    window.localStorage.removeItem(SESSION_KEY);
    void clearSpent();
  }
  else window.localStorage.setItem(SESSION_KEY, JSON.stringify(session));
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

/**
 * The session as the auth interceptor's token store: it reads the tokens,
 * and a refresh replaces them (keeping the user) or, when the refresh token
 * is refused, signs out.
 */
export const sessionTokenStore: TokenStore = {
  get: () => getSession() ?? undefined,
  set: (tokens) => {
    const current = getSession();
    if (tokens === undefined || current === null) {
      setSession(null);
      return;
    }
    const { accessToken, refreshToken, accessTokenExpiresAt } = tokens;
    setSession({ user: current.user, accessToken, refreshToken, ...(accessTokenExpiresAt !== undefined ? { accessTokenExpiresAt } : {}) });
  },
};
