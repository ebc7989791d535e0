// The typed Connect clients of the Harness Hero API.

import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";

import { CatalogService } from "./gen/harness/builder/v1/catalog_service_pb.js";
import { DesignService } from "./gen/harness/builder/v1/design_service_pb.js";
import { UserService } from "./gen/harness/user/v1/user_service_pb.js";
import { AnalyticsService } from "./gen/harness/analytics/v1/analytics_service_pb.js";
import { OrderService } from "./gen/harness/order/v1/order_service_pb.js";

/**
 * Supplies the bearer token of the signed-in user, or undefined when nobody
 * is signed in. It is called once per request, so it may return a token that
 * was refreshed since the client was created.
 */
export type TokenSource = () => string | undefined | Promise<string | undefined>;

/** Options of {@link createHarnessClient}. */
export interface HarnessClientOptions {
  /**
   * Base URL of the API, e.g. "http://127.0.0.1:4000" or, when the API is
   * served from the page's own origin, `window.location.origin`.
   */
  baseUrl: string;
  /**
   * A fixed bearer token, sent as `Authorization: Bearer <token>` on every
   * request. Use {@link HarnessClientOptions.getToken} instead when the token
   * can change during the client's life. Give at most one of the two.
   */
  token?: string;
  /**
   * Called before every request; when it returns a non-empty token, the
   * request carries `Authorization: Bearer <token>`.
   */
  getToken?: TokenSource;
  /**
   * The fetch implementation to use; the global fetch by default. Useful to
   * set fetch options (e.g. credentials) or to stub the network in tests.
   */
  fetch?: typeof globalThis.fetch;
  /** Use the binary protobuf format instead of JSON (the default). */
  useBinaryFormat?: boolean;
  /** Extra interceptors, run after the one that sets the Authorization header. */
  interceptors?: Interceptor[];
  /** Default timeout of every call in milliseconds; none by default. */
  defaultTimeoutMs?: number;
}

/** The clients of every Harness Hero service. */
export interface HarnessClient {
  /** The public catalog, quotes and size advice; needs no sign-in. */
  catalog: Client<typeof CatalogService>;
  /** The caller's saved designs; every call needs a signed-in caller. */
  designs: Client<typeof DesignService>;
  /**
   * Accounts: register, sign in, refresh and sign out, profile and password.
   * Register and sign in return a session whose `accessToken` is the bearer
   * token to give this client (via `token` or `getToken`).
   */
  users: Client<typeof UserService>;
  /** Admin reports built from the platform's events; admins only. */
  analytics: Client<typeof AnalyticsService>;
  /**
   * Orders: create (with an idempotency key), pay with the returned
   * `payment.clientSecret`, list, get, cancel; admin moves and refunds.
   */
  orders: Client<typeof OrderService>;
}

/**
 * An interceptor that sets `Authorization: Bearer <token>` on every request
 * whose token source yields a non-empty token.
 */
export function bearerTokenInterceptor(getToken: TokenSource): Interceptor {
  return (next) => async (req) => {
    const token = await getToken();
    if (token) {
      req.header.set("Authorization", `Bearer ${token}`);
    }
    return next(req);
  };
}

/**
 * Creates the clients of the Harness Hero API over one Connect transport
 * (fetch based, so it works in browsers and in Node 20+).
 *
 * ```ts
 * const harness = createHarnessClient({ baseUrl: "http://127.0.0.1:4000" });
 * const { catalog } = await harness.catalog.getCatalog({});
 * ```
 */
export function createHarnessClient(options: HarnessClientOptions): HarnessClient {
  if (options.token !== undefined && options.getToken !== undefined) {
    throw new TypeError("createHarnessClient: give either token or getToken, not both");
  }
  const interceptors: Interceptor[] = [];
  const { token, getToken } = options;
  if (getToken !== undefined) {
    interceptors.push(bearerTokenInterceptor(getToken));
  } else if (token !== undefined && token !== "") {
    interceptors.push(bearerTokenInterceptor(() => token));
  }
  interceptors.push(...(options.interceptors ?? []));

  const transport = createConnectTransport({
    baseUrl: options.baseUrl,
    useBinaryFormat: options.useBinaryFormat ?? false,
    interceptors,
    ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    ...(options.defaultTimeoutMs !== undefined ? { defaultTimeoutMs: options.defaultTimeoutMs } : {}),
  });
  return {
    catalog: createClient(CatalogService, transport),
    designs: createClient(DesignService, transport),
    users: createClient(UserService, transport),
    analytics: createClient(AnalyticsService, transport),
    orders: createClient(OrderService, transport),
  };
}
