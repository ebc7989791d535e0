// The browser's Connect transport: the client package's transport (JSON
// over fetch, GET for the RPCs the contract marks side-effect-free) with its
// auth interceptor: the session's bearer token on every call, and a silent
// refresh (RefreshSession, once however many calls fail together) when a
// call fails with Unauthenticated or the token is about to expire.

import {
  Code,
  ConnectError,
  createAuthInterceptor,
  createClient,
  createTransport,
  tokensFromSession,
  type SessionTokens,
  type Transport,
  withRefreshLock,
} from "@harnesshero/client";
import { Role, UserService } from "@harnesshero/client/users";

import { recordSpent, spentFor } from "./refresh-handoff";
import { getSession, sessionTokenStore, type StoredSession } from "./session";

const flights = new Map<string, Promise<SessionTokens | undefined>>();

/**
 * RefreshSession with refreshToken, one call however many callers ask at
 * once. Undefined when the server refuses the token (the session is over).
 * Called under the tabs' refresh lock (the interceptor's, or
 * refreshAccessToken's): a refresh token another tab spent already is not
 * spent again, its tokens are taken instead (lib/refresh-handoff.ts).
 */
function refreshWith(baseUrl: string): (refreshToken: string) => Promise<SessionTokens | undefined> {
  const users = createClient(UserService, createTransport({ baseUrl, useHttpGet: false }));
  return (refreshToken) => {
    let flight = flights.get(refreshToken);
    if (flight === undefined) {
      flight = (async () => {
        try {
          // Spent already (by a tab whose new tokens have not reached this
          // tab's copy of localStorage yet): take what it got.
          const known = await spentFor(refreshToken);
          if (known !== undefined) return known;
          const next = tokensFromSession((await users.refreshSession({ refreshToken })).session);
          if (next !== undefined) await recordSpent(refreshToken, next);
          return next;
        } catch (err) {
          const code = err instanceof ConnectError ? err.code : Code.Unknown;
          if (code === Code.Unauthenticated || code === Code.InvalidArgument) return undefined;
          throw err;
        } finally {
          queueMicrotask(() => flights.delete(refreshToken));
        }
      })();
      flights.set(refreshToken, flight);
    }
    return flight;
  };
}

/**
 * Refreshes the session outside a unary call: for a stream (which the
 * interceptor cannot replay) or the app's own route handlers. `stale` is the
 * access token that was refused; if the session already holds another, that
 * one is returned without a call. Null when there is no session any more.
 */
export function refreshAccessToken(baseUrl: string, stale: string | undefined): Promise<string | null> {
  // Under the tabs' shared refresh lock, reading the session inside it:
  // another tab may have refreshed (and rotated the refresh token) meanwhile.
  return withRefreshLock(async () => {
    const current = getSession();
    if (current === null) return null;
    if (stale !== undefined && current.accessToken !== stale) return current.accessToken;
    const next = await refreshWith(baseUrl)(current.refreshToken);
    sessionTokenStore.set(next);
    return next?.accessToken ?? null;
  });
}

/** The app's transport to the API at baseUrl. */
export function createAppTransport(baseUrl: string): Transport {
  return createTransport({
    baseUrl,
    useHttpGet: true,
    interceptors: [createAuthInterceptor({ tokens: sessionTokenStore, refresh: refreshWith(baseUrl) })],
  });
}

/** The session to store after Register or SignIn. */
export function storedSession(
  session: Parameters<typeof tokensFromSession>[0],
  user: { id: string; email: string; displayName: string; role: Role } | undefined,
): StoredSession {
  const tokens = tokensFromSession(session);
  if (!tokens || !user) throw new ConnectError("the server answered no session", Code.Internal);
  return {
    ...tokens,
    user: { id: user.id, email: user.email, displayName: user.displayName, admin: user.role === Role.ADMIN },
  };
}
