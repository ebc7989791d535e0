// /api/rpc/<service>/<method>: the browser's Connect calls, passed on to the
// API with the session's access token from its httpOnly cookie (the page
// never holds a token). Unary calls (GET for the side-effect-free ones, POST)
// and server streams (WatchOrder: its body streams through as the API sends
// it). An access token about to expire is refreshed first; a unary call the
// API refuses as Unauthenticated is retried once after a refresh. Register,
// SignIn and ChangePassword answer a Session: its tokens go into the
// cookies and are taken out of the answer. RefreshSession and SignOut are
// the app's own business (lib/server-session.ts, /api/session), not the
// page's. Every request must come from the shop's pages (crossSite).

import { serverApiUrl } from "@/lib/config";
import { crossSite, sessionOf, tokensOfJson, withSession, type SessionState } from "@/lib/server-session";

export const dynamic = "force-dynamic";

const USERS = "harness.user.v1.UserService";
/** Methods whose answer holds a Session: its tokens become cookies. */
const ISSUES_SESSION = new Set([`${USERS}/Register`, `${USERS}/SignIn`, `${USERS}/ChangePassword`]);
/** Methods the page may not call through here. */
const REFUSED = new Set([`${USERS}/RefreshSession`, `${USERS}/SignOut`]);
const METHOD = /^harness(\.[a-z0-9_]+)+\.v[0-9]+\.[A-Za-z0-9_]+\/[A-Za-z0-9_]+$/;
const MAX_BODY = 1 << 20;

/**
 * Request headers passed on to the API: the protocol's, and those the API
 * reads as part of the contract (server/headers.go's crossing list):
 * Idempotency-Key, trace context, the user agent, and X-Forwarded-For with
 * the client's address (the Ingress's, or the one Next.js records), which
 * the API's sign-in throttling uses when --trusted-proxies names the web
 * app; without it every shopper would look like the web app's address.
 */
const PASSED = [
  "content-type", "connect-protocol-version", "connect-timeout-ms", "connect-content-encoding", "connect-accept-encoding", "accept",
  "idempotency-key", "traceparent", "tracestate", "user-agent", "x-forwarded-for",
];
/** Response headers not passed back (hop-by-hop, re-encoded by fetch, or the API's own cookies and CORS). */
const DROPPED = new Set(["connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length", "set-cookie", "vary", "date", "server"]);

function connectError(status: number, code: string, message: string, headers = new Headers()): Response {
  headers.set("Content-Type", "application/json");
  return new Response(JSON.stringify({ code, message }), { status, headers });
}

async function proxy(req: Request, ctx: { params: Promise<{ path: string[] }> }): Promise<Response> {
  const refusal = crossSite(req);
  if (refusal !== null) return connectError(403, "permission_denied", `refused: ${refusal}`);
  const method = (await ctx.params).path.join("/");
  if (!METHOD.test(method)) return connectError(404, "unimplemented", "no such method");
  if (REFUSED.has(method)) return connectError(403, "permission_denied", "the shop handles sessions itself");
  const issues = ISSUES_SESSION.has(method);
  const contentType = req.headers.get("content-type") ?? "";
  if (issues && !contentType.startsWith("application/json")) return connectError(415, "invalid_argument", "send JSON");
  const streaming = contentType.startsWith("application/connect+");

  let body: ArrayBuffer | undefined;
  if (req.method === "POST") {
    if (Number(req.headers.get("content-length") ?? 0) > MAX_BODY) return connectError(413, "resource_exhausted", "the request is too large");
    body = await req.arrayBuffer();
    if (body.byteLength > MAX_BODY) return connectError(413, "resource_exhausted", "the request is too large");
  }

  let state: SessionState;
  try {
    state = issues && method !== `${USERS}/ChangePassword` ? { tokens: undefined, changed: false, refreshed: false } : await sessionOf(req);
  } catch {
    return connectError(503, "unavailable", "the session could not be refreshed: try again");
  }
  const search = new URL(req.url).search;
  const send = (token: string | undefined) => {
    const headers = new Headers();
    for (const h of PASSED) {
      const v = req.headers.get(h);
      if (v !== null) headers.set(h, v);
    }
    if (token) headers.set("Authorization", `Bearer ${token}`);
    return fetch(`${serverApiUrl()}/${method}${search}`, { method: req.method, headers, body, signal: req.signal, cache: "no-store" });
  };

  let upstream: Response;
  try {
    upstream = await send(state.tokens?.accessToken);
    if (upstream.status === 401 && !streaming && !issues && state.tokens !== undefined && !state.changed) {
      // Refused (revoked, or its signing key rotated): refresh once and retry.
      await upstream.body?.cancel();
      const again = await sessionOf(req, { refused: state.tokens.accessToken });
      state = again;
      upstream = await send(again.tokens?.accessToken);
    }
  } catch {
    if (req.signal.aborted) return new Response(null, { status: 499 });
    return connectError(503, "unavailable", "the shop could not reach the API", withSession(req, new Headers(), state));
  }

  const headers = new Headers();
  upstream.headers.forEach((v, k) => {
    if (!DROPPED.has(k) && !k.startsWith("access-control-")) headers.set(k, v);
  });
  headers.set("Cache-Control", "no-store");

  if (issues && upstream.ok) {
    const answer = (await upstream.json()) as Record<string, unknown>;
    // The session's tokens go into the cookies, never to the page.
    const tokens = tokensOfJson(answer.session);
    delete answer.session;
    const next: SessionState = tokens ? { tokens, changed: true, refreshed: false } : state;
    return new Response(JSON.stringify(answer), { status: upstream.status, headers: withSession(req, headers, next) });
  }
  return new Response(upstream.body, { status: upstream.status, headers: withSession(req, headers, state) });
}

export const GET = proxy;
export const POST = proxy;
