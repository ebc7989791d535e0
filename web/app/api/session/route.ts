// /api/session: the browser's session, whose tokens the page never sees.
//   GET    whoami: { signedIn, role } (role: the access token's "role" claim,
//          which the admin pages compare with the profile's role now)
//   POST   refresh now (a WatchOrder stream refused as Unauthenticated)
//   DELETE sign out: SignOut on the API, the cookies cleared
// Signing up and in go through /api/rpc (Register, SignIn), whose answer's
// tokens become the cookies. Every request must come from the shop's pages.

import { createClient, createTransport } from "@harnesshero/client";
import { UserService } from "@harnesshero/client/users";

import { serverApiUrl } from "@/lib/config";
import { tokenRole } from "@/lib/role";
import { crossSite, sessionCookies, sessionOf, withSession, type SessionState } from "@/lib/server-session";

export const dynamic = "force-dynamic";

function answer(req: Request, body: unknown, state: SessionState | null, status = 200): Response {
  const headers = new Headers({ "Cache-Control": "no-store" });
  if (state) withSession(req, headers, state);
  return Response.json(body, { status, headers });
}

async function current(req: Request, force: boolean): Promise<Response> {
  const refusal = crossSite(req);
  if (refusal !== null) return answer(req, { error: `refused: ${refusal}` }, null, 403);
  let state: SessionState;
  try {
    state = await sessionOf(req, { force });
  } catch {
    return answer(req, { error: "the session could not be refreshed: try again" }, null, 503);
  }
  const token = state.tokens?.accessToken;
  return answer(req, { signedIn: token !== undefined, role: tokenRole(token) }, state, force && !token ? 401 : 200);
}

export const GET = (req: Request) => current(req, false);
export const POST = (req: Request) => current(req, true);

export async function DELETE(req: Request): Promise<Response> {
  const refusal = crossSite(req);
  if (refusal !== null) return answer(req, { error: `refused: ${refusal}` }, null, 403);
  let token: string | undefined;
  try {
    token = (await sessionOf(req)).tokens?.accessToken;
  } catch {
    token = undefined;
  }
  if (token) {
    try {
      await createClient(UserService, createTransport({ baseUrl: serverApiUrl(), token, defaultTimeoutMs: 10_000 })).signOut({});
    } catch {
      // signed out here whatever the API says
    }
  }
  const headers = new Headers({ "Cache-Control": "no-store" });
  for (const c of sessionCookies(req, undefined)) headers.append("Set-Cookie", c);
  return Response.json({ signedIn: false }, { headers });
}
