// The browser's Connect transport: the client package's transport (JSON
// over fetch, GET for the RPCs the contract marks side-effect-free) to the
// app's own proxy, /api/rpc (app/api/rpc/[...path]/route.ts), which calls
// the API with the session's token from its httpOnly cookie and refreshes
// it. Every call carries the CSRF header the app's routes require. A call
// answered Unauthenticated means the server has no session (any more): the
// page forgets who was signed in.

import { Code, ConnectError, createTransport, type Interceptor, type Transport } from "@harnesshero/client";
import { Role } from "@harnesshero/client/users";

import { CSRF_HEADER } from "./csrf";
import { getSession, setSession, type StoredSession } from "./session";

const sameOrigin: Interceptor = (next) => async (req) => {
  req.header.set(CSRF_HEADER, "1");
  try {
    return await next(req);
  } catch (err) {
    if (err instanceof ConnectError && err.code === Code.Unauthenticated && req.method.name !== "SignIn" && getSession() !== null) {
      setSession(null);
    }
    throw err;
  }
};

/** The app's transport through its proxy at baseUrl (the page's origin + /api/rpc). */
export function createAppTransport(baseUrl: string): Transport {
  return createTransport({ baseUrl, useHttpGet: true, interceptors: [sameOrigin] });
}

/** The user to keep after Register or SignIn (the tokens went into cookies). */
export function storedSession(user: { id: string; email: string; displayName: string; role: Role } | undefined): StoredSession {
  if (!user) throw new ConnectError("the server answered no user", Code.Internal);
  return { user: { id: user.id, email: user.email, displayName: user.displayName, admin: user.role === Role.ADMIN } };
}
