// The browser's session on the app's server: the tokens live in httpOnly
// cookies set by the app's own routes (the page's scripts never see them),
// the routes call the API with the access token and refresh it with the
// refresh token (lib/rotation.ts: once per session however many requests
// find it expired), and every request to them must come from the shop's own
// pages (checkSameOrigin).

import "server-only";

import { Code, ConnectError, createClient, createTransport, tokensFromSession } from "@harnesshero/client";
import { UserService, type Session } from "@harnesshero/client/users";

import { serverApiUrl } from "./config";
import { CSRF_HEADER } from "./csrf";
import { createRotation, tokenExpiry, type Tokens } from "./rotation";

export const ACCESS_COOKIE = "harness_access";
export const REFRESH_COOKIE = "harness_refresh";
/** The access token's expiry (Unix ms), as the API said it at sign-in or refresh. */
export const EXPIRES_COOKIE = "harness_access_exp";
/** Refreshed this long before the access token expires. */
const EARLY_MS = 10_000;

/** The tokens of a Session answered by Register, SignIn, RefreshSession or ChangePassword. */
export function tokensOf(session: Session | undefined): Tokens | undefined {
  const t = tokensFromSession(session);
  if (t === undefined || !t.refreshToken) return undefined;
  const end = session?.refreshTokenExpireTime;
  return { ...t, ...(end ? { refreshTokenExpiresAt: Number(end.seconds) * 1000 } : {}) };
}

/** The tokens of a Session in the JSON form (a Connect JSON answer), or undefined. */
export function tokensOfJson(json: unknown): Tokens | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const s = json as { accessToken?: unknown; refreshToken?: unknown; accessTokenExpireTime?: unknown; refreshTokenExpireTime?: unknown };
  if (typeof s.accessToken !== "string" || !s.accessToken || typeof s.refreshToken !== "string" || !s.refreshToken) return undefined;
  const time = (t: unknown) => (typeof t === "string" && Number.isFinite(Date.parse(t)) ? Date.parse(t) : undefined);
  const exp = time(s.accessTokenExpireTime);
  const end = time(s.refreshTokenExpireTime);
  return {
    accessToken: s.accessToken,
    refreshToken: s.refreshToken,
    ...(exp !== undefined ? { accessTokenExpiresAt: exp } : {}),
    ...(end !== undefined ? { refreshTokenExpiresAt: end } : {}),
  };
}

const users = () => createClient(UserService, createTransport({ baseUrl: serverApiUrl(), useHttpGet: false, defaultTimeoutMs: 10_000 }));

async function refreshSession(refreshToken: string): Promise<Tokens | undefined> {
  try {
    return tokensOf((await users().refreshSession({ refreshToken })).session);
  } catch (err) {
    const code = err instanceof ConnectError ? err.code : Code.Unknown;
    if (code === Code.Unauthenticated || code === Code.InvalidArgument) return undefined;
    throw err;
  }
}

// One rotation for the whole process (route handlers may be bundled apart).
const KEY = Symbol.for("harness.web.rotation");
const holder = globalThis as unknown as { [KEY]?: ReturnType<typeof createRotation> };
const rotate = (holder[KEY] ??= createRotation(refreshSession));

function cookies(req: Request): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) {
      try {
        out.set(part.slice(0, i).trim(), decodeURIComponent(part.slice(i + 1).trim()));
      } catch {
        // a garbled cookie is none
      }
    }
  }
  return out;
}

/** Whether the request reached the shop over https (directly or through the Ingress). */
function overHttps(req: Request): boolean {
  const proto = req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() || new URL(req.url).protocol.replace(":", "");
  return proto === "https";
}

/** The shop's origin as the browser sees it. */
function ownOrigin(req: Request): string {
  const host = req.headers.get("x-forwarded-host")?.split(",")[0]?.trim() || req.headers.get("host") || new URL(req.url).host;
  return `${overHttps(req) ? "https" : "http"}://${host}`;
}

/**
 * Secure unless served over plain http on this machine (the tests, `make
 * run`): a Secure cookie over http elsewhere is refused by the browser, so
 * a shop served without TLS keeps nobody signed in rather than sending the
 * tokens in clear.
 */
function secure(req: Request): boolean {
  if (overHttps(req)) return true;
  const host = (req.headers.get("host") ?? "").replace(/:\d+$/, "");
  return !(host === "localhost" || host === "127.0.0.1" || host === "[::1]");
}

function cookie(req: Request, name: string, value: string, maxAgeS: number): string {
  return `${name}=${encodeURIComponent(value)}; Path=/api; Max-Age=${maxAgeS}; HttpOnly; SameSite=Strict${secure(req) ? "; Secure" : ""}`;
}

/** The Set-Cookie headers that store tokens (undefined: that clear the session). */
export function sessionCookies(req: Request, tokens: Tokens | undefined): string[] {
  if (tokens === undefined) return [ACCESS_COOKIE, REFRESH_COOKIE, EXPIRES_COOKIE].map((n) => cookie(req, n, "", 0));
  const until = tokens.refreshTokenExpiresAt ?? Date.now() + 30 * 86_400_000;
  const maxAge = Math.max(0, Math.floor((until - Date.now()) / 1000));
  const exp = tokens.accessTokenExpiresAt ?? tokenExpiry(tokens.accessToken);
  return [
    cookie(req, ACCESS_COOKIE, tokens.accessToken, maxAge),
    cookie(req, REFRESH_COOKIE, tokens.refreshToken, maxAge),
    cookie(req, EXPIRES_COOKIE, exp !== undefined ? String(exp) : "", maxAge),
  ];
}

export interface SessionState {
  /** The tokens to call the API with; undefined: nobody is signed in (any more). */
  tokens: Tokens | undefined;
  /** Whether the cookies must be rewritten (refreshed, or the session ended). */
  changed: boolean;
  /** Whether this request made the RefreshSession call itself. */
  refreshed: boolean;
}

/**
 * The request's session, refreshed when its access token is (about to be)
 * expired, when `force`, or when `refused` is the access token the API just
 * refused. A refused refresh token ends it (changed, no tokens).
 */
export async function sessionOf(req: Request, opts: { force?: boolean; refused?: string } = {}): Promise<SessionState> {
  const c = cookies(req);
  const access = c.get(ACCESS_COOKIE) ?? "";
  const refresh = c.get(REFRESH_COOKIE) ?? "";
  if (!refresh) return { tokens: undefined, changed: access !== "", refreshed: false };
  const stored = Number(c.get(EXPIRES_COOKIE));
  const exp = Number.isFinite(stored) && stored > 0 ? stored : tokenExpiry(access);
  const due = !access || opts.force || (opts.refused !== undefined && opts.refused === access) || (exp !== undefined && exp - EARLY_MS <= Date.now());
  if (!due) return { tokens: { accessToken: access, refreshToken: refresh, ...(exp !== undefined ? { accessTokenExpiresAt: exp } : {}) }, changed: false, refreshed: false };
  const r = await rotate(refresh);
  return { tokens: r.tokens, changed: true, refreshed: r.refreshed };
}

/** The response header that tells a refresh happened in this request (the browser tests count them). */
export const REFRESHED_HEADER = "X-Harness-Refreshed";

/** Adds the session's cookies (when they changed) to headers. */
export function withSession(req: Request, headers: Headers, state: SessionState): Headers {
  if (state.changed) for (const c of sessionCookies(req, state.tokens)) headers.append("Set-Cookie", c);
  if (state.refreshed) headers.set(REFRESHED_HEADER, "1");
  return headers;
}

/**
 * Why a request to the app's routes is refused as cross-site, or null when it
 * comes from the shop's own pages: the custom header (which a cross-site form
 * cannot send, nor a cross-site fetch without a preflight the app never
 * grants), Sec-Fetch-Site "same-origin" when the browser sends it, and an
 * Origin equal to the shop's own when there is one (a POST without either is
 * refused too).
 */
export function crossSite(req: Request): string | null {
  if (req.headers.get(CSRF_HEADER) !== "1") return `the ${CSRF_HEADER} header is missing`;
  const site = req.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin") return `a ${site} request`;
  const origin = req.headers.get("origin");
  if (origin !== null && origin !== ownOrigin(req)) return `a request from ${origin}`;
  if (site === null && origin === null && req.method !== "GET" && req.method !== "HEAD") return "a request of unknown origin";
  return null;
}
