// Signed-in sessions: where the tokens live (a TokenStore), and an
// interceptor that sends the access token and, when the server says it is no
// longer good, trades the refresh token for new ones once and retries.

import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";

import type { Session } from "./gen/harness/user/v1/user_pb.js";
import { UserService } from "./gen/harness/user/v1/user_service_pb.js";
import { createTransport } from "./transport.js";

/** The tokens of a signed-in session, as a TokenStore keeps them. */
export interface SessionTokens {
  /** The bearer token of every call; valid for 15 minutes. */
  accessToken: string;
  /** Single use: RefreshSession trades it for new tokens. */
  refreshToken: string;
  /**
   * When the access token expires, in milliseconds since the epoch;
   * undefined when unknown. A token known to be expired is refreshed before
   * the call rather than after a refusal.
   */
  accessTokenExpiresAt?: number;
}

/**
 * Where the session's tokens live. memoryTokenStore() keeps them in the
 * page's memory; webStorageTokenStore() in localStorage or sessionStorage;
 * an app may keep them anywhere else (a cookie, IndexedDB) by implementing
 * these two methods. set(undefined) signs out.
 */
export interface TokenStore {
  get(): SessionTokens | undefined | Promise<SessionTokens | undefined>;
  set(tokens: SessionTokens | undefined): void | Promise<void>;
}

/** A TokenStore in memory: the session lasts as long as the page (or process). */
export function memoryTokenStore(initial?: SessionTokens): TokenStore {
  let current = initial;
  return {
    get: () => current,
    set: (tokens) => {
      current = tokens;
    },
  };
}

/** The part of the Web Storage API (localStorage, sessionStorage) a store needs. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * A TokenStore in Web Storage under one key, as JSON: the session survives
 * reloads (localStorage: and tabs). Anything unreadable under the key counts
 * as signed out. Tokens in Web Storage are readable by any script of the
 * page; see the README for the cookie alternative.
 */
export function webStorageTokenStore(storage: StorageLike, key = "harnesshero.session"): TokenStore {
  return {
    get: () => {
      const raw = storage.getItem(key);
      if (raw === null) return undefined;
      try {
        const t = JSON.parse(raw) as Partial<SessionTokens>;
        if (typeof t.accessToken !== "string" || typeof t.refreshToken !== "string") return undefined;
        return {
          accessToken: t.accessToken,
          refreshToken: t.refreshToken,
          ...(typeof t.accessTokenExpiresAt === "number" ? { accessTokenExpiresAt: t.accessTokenExpiresAt } : {}),
        };
      } catch {
        return undefined;
      }
    },
    set: (tokens) => {
      if (tokens === undefined) storage.removeItem(key);
      else storage.setItem(key, JSON.stringify(tokens));
    },
  };
}

/**
 * The tokens of a Session returned by Register, SignIn or RefreshSession, for
 * a TokenStore; undefined when there is no session.
 *
 * ```ts
 * const res = await users.signIn({ email, password });
 * await tokens.set(tokensFromSession(res.session));
 * ```
 */
export function tokensFromSession(session: Session | undefined): SessionTokens | undefined {
  if (session === undefined || session.accessToken === "") return undefined;
  const exp = session.accessTokenExpireTime;
  return {
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    ...(exp !== undefined ? { accessTokenExpiresAt: Number(exp.seconds) * 1000 + Math.floor(exp.nanos / 1e6) } : {}),
  };
}

/** Options of {@link createAuthInterceptor}. */
export interface AuthInterceptorOptions {
  /** Where the tokens are read before each call and written after a refresh. */
  tokens: TokenStore;
  /**
   * Base URL of the API, for the RefreshSession call (made on a transport of
   * its own, so it never runs through this interceptor). Required unless
   * `refresh` is given.
   */
  baseUrl?: string;
  /** The fetch of the RefreshSession call; the global fetch by default. */
  fetch?: typeof globalThis.fetch;
  /**
   * Replaces the RefreshSession call, e.g. to refresh through the app's own
   * route handler that keeps the refresh token in an httpOnly cookie.
   * Resolves to the new tokens, or to undefined when the session is over;
   * throws when it cannot tell (network down): the tokens are kept.
   */
  refresh?: (refreshToken: string) => Promise<SessionTokens | undefined>;
  /**
   * Called once each time a session ends because its refresh token was
   * refused (expired, signed out, or used twice); the store has been
   * cleared. Show the sign-in page here.
   */
  onSessionEnd?: () => void;
  /**
   * A token expiring within this many milliseconds counts as expired and is
   * refreshed before the call; 10 000 by default.
   */
  expiryMarginMs?: number;
  /**
   * Name of the Web Lock (navigator.locks) a refresh holds, so that tabs
   * sharing one store (localStorage) refresh one at a time: the second tab
   * finds the tokens the first stored instead of spending the rotated
   * refresh token again, which would end the session. Where there is no
   * Web Locks API (Node), refreshes are shared within this interceptor only.
   * {@link REFRESH_LOCK} by default.
   */
  lockName?: string;
}

/** The default {@link AuthInterceptorOptions.lockName}. */
export const REFRESH_LOCK = "harnesshero.session.refresh";

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/**
 * withRefreshLock runs fn holding the cross-tab refresh lock `name` (the
 * Web Locks API), or at once where the API is missing. Use it around a
 * refresh the app makes itself (e.g. before reopening a stream), reading the
 * store again inside: another tab may have refreshed meanwhile.
 */
export function withRefreshLock<T>(fn: () => Promise<T>, name: string = REFRESH_LOCK): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return locks === undefined ? fn() : locks.request(name, fn);
}

/**
 * An interceptor that signs calls in with the session in `tokens`:
 *
 * - sends `Authorization: Bearer <access token>` when there is a session;
 * - refreshes first when the access token is known to be expired (for
 *   server-streaming calls this is the only refresh: a started stream is not
 *   retried);
 * - on Unauthenticated from a unary call, calls RefreshSession once, stores
 *   the new tokens and retries the call once. Concurrent failures share one
 *   refresh, and a call that failed with a token another call has already
 *   replaced retries with the new one without refreshing again (a refresh
 *   token works once: presenting a used one ends the whole session);
 * - when the refresh token is refused, clears the store, calls
 *   onSessionEnd and throws the call's Unauthenticated error. It never loops.
 *
 * ```ts
 * const tokens = webStorageTokenStore(localStorage);
 * const transport = createTransport({
 *   baseUrl,
 *   interceptors: [createAuthInterceptor({ baseUrl, tokens, onSessionEnd: () => router.push("/sign-in") })],
 * });
 * ```
 */
export function createAuthInterceptor(options: AuthInterceptorOptions): Interceptor {
  const { tokens, onSessionEnd } = options;
  const margin = options.expiryMarginMs ?? 10_000;
  const refresh = options.refresh ?? refreshSession(options);
  let inflight: Promise<SessionTokens | undefined> | undefined;

  // renewed returns the tokens to use instead of the access token `stale`:
  // the store's, when another call already replaced it, or new ones from one
  // refresh shared by every caller that arrives while it runs.
  const renewed = (stale: string): Promise<SessionTokens | undefined> => {
    inflight ??= withRefreshLock(async () => {
      try {
        const current = await tokens.get();
        if (current === undefined || current.accessToken !== stale) {
          return current;
        }
        const next = await refresh(current.refreshToken);
        await tokens.set(next);
        if (next === undefined) {
          onSessionEnd?.();
        }
        return next;
      } finally {
        inflight = undefined;
      }
    }, options.lockName);
    return inflight;
  };

  return (next) => async (req) => {
    let current = await tokens.get();
    if (current?.accessTokenExpiresAt !== undefined && current.accessTokenExpiresAt - margin <= Date.now()) {
      current = await renewed(current.accessToken);
    }
    const sent = current?.accessToken;
    if (sent !== undefined && sent !== "") {
      req.header.set("Authorization", `Bearer ${sent}`);
    }
    try {
      return await next(req);
    } catch (err) {
      if (req.stream || sent === undefined || sent === "" || !isUnauthenticated(err)) {
        throw err;
      }
      const fresh = await renewed(sent);
      if (fresh === undefined) {
        throw err;
      }
      req.header.set("Authorization", `Bearer ${fresh.accessToken}`);
      return await next(req);
    }
  };
}

function isUnauthenticated(err: unknown): boolean {
  return err instanceof ConnectError && err.code === Code.Unauthenticated;
}

// refreshSession returns the default refresh: RefreshSession on a transport
// without the auth interceptor. A refused refresh token (Unauthenticated, or
// InvalidArgument for one that is not even well formed) ends the session;
// any other error is thrown, keeping the tokens.
function refreshSession(options: AuthInterceptorOptions): (refreshToken: string) => Promise<SessionTokens | undefined> {
  if (options.baseUrl === undefined) {
    throw new TypeError("createAuthInterceptor: give baseUrl (for RefreshSession) or refresh");
  }
  const users = createClient(
    UserService,
    createTransport({
      baseUrl: options.baseUrl,
      useHttpGet: false,
      ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    }),
  );
  return async (refreshToken) => {
    try {
      const res = await users.refreshSession({ refreshToken });
      return tokensFromSession(res.session);
    } catch (err) {
      if (err instanceof ConnectError && (err.code === Code.Unauthenticated || err.code === Code.InvalidArgument)) {
        return undefined;
      }
      throw err;
    }
  };
}
