// The transport every service client of this package runs on: Connect over
// fetch, so it works in browsers, in Next.js Server Components and route
// handlers, and in Node 20+.

import type { Interceptor, Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";

/**
 * Supplies the bearer token of the signed-in user, or undefined when nobody
 * is signed in. It is called once per request, so it may return a token that
 * was refreshed since the transport was created.
 */
export type TokenSource = () => string | undefined | Promise<string | undefined>;

/** Options of {@link createTransport}. */
export interface TransportOptions {
  /**
   * Base URL of the API, e.g. "http://127.0.0.1:4000", or "/" when the API
   * is served from the page's own origin (a rewrite in next.config).
   */
  baseUrl: string;
  /**
   * Send the RPCs the contracts mark side-effect free (GetCatalog, Quote,
   * QuoteCart, RecommendSize, ListDesigns, GetDesign, GetProfile, the order
   * reads) as HTTP GET, which browsers, CDNs and Next.js' fetch cache can
   * cache. True by default; the server accepts both.
   */
  useHttpGet?: boolean;
  /** Use the binary protobuf format instead of JSON (the default). */
  useBinaryFormat?: boolean;
  /**
   * A fixed bearer token, sent as `Authorization: Bearer <token>`. For a
   * signed-in browser session use createAuthInterceptor instead (it
   * refreshes the token); give at most one of token and getToken.
   */
  token?: string;
  /**
   * Called before every request; a non-empty result is sent as
   * `Authorization: Bearer <token>`.
   */
  getToken?: TokenSource;
  /**
   * Interceptors, run after the one that sets the token (if any). Put
   * createAuthInterceptor(...) here.
   */
  interceptors?: Interceptor[];
  /**
   * The fetch to use; the global fetch by default. Use it to set fetch
   * options, e.g. Next.js caching: `(input, init) => fetch(input, { ...init,
   * next: { revalidate: 300 } })` (it applies to GET requests).
   */
  fetch?: typeof globalThis.fetch;
  /** Default timeout of every call in milliseconds; none by default. */
  defaultTimeoutMs?: number;
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
 * Creates the Connect transport of the Harness Hero API. Give it to the
 * service clients (`createCatalogClient(transport)` from
 * "@harnesshero/client/catalog", ...), to `createClient` of
 * @connectrpc/connect, or to connect-query's `<TransportProvider>`.
 *
 * ```ts
 * const transport = createTransport({ baseUrl: "http://127.0.0.1:4000" });
 * const catalog = createCatalogClient(transport);
 * const { quote } = await catalog.quote({ design, quantity: 1 });
 * ```
 */
export function createTransport(options: TransportOptions): Transport {
  const { token, getToken } = options;
  if (token !== undefined && getToken !== undefined) {
    throw new TypeError("createTransport: give either token or getToken, not both");
  }
  const interceptors: Interceptor[] = [];
  if (getToken !== undefined) {
    interceptors.push(bearerTokenInterceptor(getToken));
  } else if (token !== undefined && token !== "") {
    interceptors.push(bearerTokenInterceptor(() => token));
  }
  interceptors.push(...(options.interceptors ?? []));
  return createConnectTransport({
    baseUrl: options.baseUrl,
    useHttpGet: options.useHttpGet ?? true,
    useBinaryFormat: options.useBinaryFormat ?? false,
    interceptors,
    ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    ...(options.defaultTimeoutMs !== undefined ? { defaultTimeoutMs: options.defaultTimeoutMs } : {}),
  });
}
