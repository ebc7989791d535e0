// One refresh at a time per session, on the app's server. RefreshSession
// rotates the refresh token, and presenting a spent one ends the whole
// session ("refresh token reused: session revoked"). Parallel requests of a
// browser carry the same cookies: the first to find the access token expired
// refreshes, the others wait for that same call (`flights`); a request sent
// before the browser stored the new cookies (another tab, a request already
// in flight) presents the spent token, and takes the tokens its refresh got
// (`spent`, kept a minute) instead of spending it again. Pure (no Next, no
// cookies) so that the unit tests drive it with a fake RefreshSession.
//
// The memory is this server process's: with several replicas of the shop,
// a browser's requests must reach the same one (session affinity) or the
// records must move to a shared store.

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** Unix ms; undefined when the server did not say. */
  accessTokenExpiresAt?: number;
  /** Unix ms: when the session ends whatever the refreshes. */
  refreshTokenExpiresAt?: number;
}

export interface Rotated {
  /** The session's tokens now; undefined when the refresh token was refused (the session is over). */
  tokens: Tokens | undefined;
  /** Whether this caller's request made the RefreshSession call itself. */
  refreshed: boolean;
}

/** Records older than this are dropped: no request of the browser waits that long. */
const KEEP_MS = 60_000;

/**
 * A rotate(refreshToken) calling refresh at most once per refresh token,
 * however many callers ask at once or later with the spent token.
 */
export function createRotation(refresh: (refreshToken: string) => Promise<Tokens | undefined>, now: () => number = Date.now) {
  const flights = new Map<string, Promise<Tokens | undefined>>();
  const spent = new Map<string, { tokens: Tokens; at: number }>();

  function known(refreshToken: string): Tokens | undefined {
    let found: Tokens | undefined;
    let key = refreshToken;
    // Follow later refreshes: R1 gave R2, R2 gave R3.
    for (let i = 0; i < 8; i++) {
      const rec = spent.get(key);
      if (rec === undefined || now() - rec.at > KEEP_MS) break;
      found = rec.tokens;
      key = rec.tokens.refreshToken;
    }
    return found;
  }

  return async function rotate(refreshToken: string): Promise<Rotated> {
    const got = known(refreshToken);
    if (got !== undefined) return { tokens: got, refreshed: false };
    const flight = flights.get(refreshToken);
    if (flight !== undefined) return { tokens: await flight, refreshed: false };
    const mine = (async () => {
      try {
        const tokens = await refresh(refreshToken);
        if (tokens !== undefined) {
          const at = now();
          for (const [k, v] of spent) if (at - v.at > KEEP_MS) spent.delete(k);
          spent.set(refreshToken, { tokens, at });
        }
        return tokens;
      } finally {
        flights.delete(refreshToken);
      }
    })();
    flights.set(refreshToken, mine);
    return { tokens: await mine, refreshed: true };
  };
}

/** The access token's expiry (its "exp" claim, Unix ms), read without verifying it; undefined if unreadable. */
export function tokenExpiry(accessToken: string): number | undefined {
  const payload = accessToken.split(".")[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(payload.length / 4) * 4, "="));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
