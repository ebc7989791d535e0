/**
 * @harnesshero/client/users: accounts and sessions (UserService,
 * harness.user.v1). Register and SignIn return a Session; keep its tokens in
 * a TokenStore (`tokens.set(tokensFromSession(res.session))`) and let
 * createAuthInterceptor send and refresh them.
 *
 * @module
 */

import { createClient, type Client, type Transport } from "@connectrpc/connect";

import { UserService } from "./gen/harness/user/v1/user_service_pb.js";

export * from "./gen/harness/user/v1/user_pb.js";
export * from "./gen/harness/user/v1/user_service_pb.js";

/** A client of UserService. */
export type UsersClient = Client<typeof UserService>;

/** Creates a client of UserService on transport (see createTransport). */
export function createUsersClient(transport: Transport): UsersClient {
  return createClient(UserService, transport);
}
