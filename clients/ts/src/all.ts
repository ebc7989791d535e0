/**
 * @harnesshero/client/all: everything in one import, as the package's single
 * entry point offered before the subpaths: the core, every service's
 * messages, enums and descriptors, validation, and createHarnessClient with
 * a client of every service. It loads every contract and protovalidate:
 * fine for scripts, tests and Node services; pages should import the
 * subpaths they use instead.
 *
 * @module
 */

import type { Interceptor } from "@connectrpc/connect";

import { createTransport, type TokenSource } from "./transport.js";
import { createAnalyticsClient, type AnalyticsClient } from "./analytics.js";
import { createCatalogClient, type CatalogClient } from "./catalog.js";
import { createDesignsClient, type DesignsClient } from "./designs.js";
import { createOrdersClient, type OrdersClient } from "./orders.js";
import { createUsersClient, type UsersClient } from "./users.js";

export * from "./index.js";
export * from "./catalog.js";
export * from "./designs.js";
export * from "./users.js";
export * from "./orders.js";
export * from "./analytics.js";
export * from "./events.js";
export * from "./validation.js";

/** Options of {@link createHarnessClient}. */
export interface HarnessClientOptions {
  /** Base URL of the API, e.g. "http://127.0.0.1:4000". */
  baseUrl: string;
  /** A fixed bearer token; give at most one of token and getToken. */
  token?: string;
  /** Called before every request; a non-empty token is sent as a bearer token. */
  getToken?: TokenSource;
  /** The fetch implementation to use; the global fetch by default. */
  fetch?: typeof globalThis.fetch;
  /** Use the binary protobuf format instead of JSON (the default). */
  useBinaryFormat?: boolean;
  /** Send side-effect-free RPCs as HTTP GET; true by default. */
  useHttpGet?: boolean;
  /** Extra interceptors, run after the one that sets the Authorization header. */
  interceptors?: Interceptor[];
  /** Default timeout of every call in milliseconds; none by default. */
  defaultTimeoutMs?: number;
}

/** The clients of every Harness Hero service, on one transport. */
export interface HarnessClient {
  /** The public catalog, quotes and size advice; needs no sign-in. */
  catalog: CatalogClient;
  /** The caller's saved designs; every call needs a signed-in caller. */
  designs: DesignsClient;
  /** Accounts: register, sign in, refresh and sign out, profile and password. */
  users: UsersClient;
  /** Admin reports built from the platform's events; admins only. */
  analytics: AnalyticsClient;
  /** Orders: create (with an idempotency key), pay, list, get, cancel; admin moves. */
  orders: OrdersClient;
}

/**
 * Creates the clients of every Harness Hero service over one transport
 * (createTransport with these options).
 */
export function createHarnessClient(options: HarnessClientOptions): HarnessClient {
  if (options.token !== undefined && options.getToken !== undefined) {
    throw new TypeError("createHarnessClient: give either token or getToken, not both");
  }
  const transport = createTransport(options);
  return {
    catalog: createCatalogClient(transport),
    designs: createDesignsClient(transport),
    users: createUsersClient(transport),
    analytics: createAnalyticsClient(transport),
    orders: createOrdersClient(transport),
  };
}
