/**
 * @harnesshero/client: the typed client of the Harness Hero platform.
 *
 * This entry point is the core every page needs and nothing more: the
 * transport, sessions, errors and what an app needs from @bufbuild/protobuf
 * and @connectrpc/connect. The services and their messages are in subpaths,
 * so a page ships only the contracts it uses:
 *
 * - `@harnesshero/client/catalog`   catalog, quotes, size advice (public)
 * - `@harnesshero/client/designs`   saved designs
 * - `@harnesshero/client/users`     accounts and sessions
 * - `@harnesshero/client/orders`    orders and payments
 * - `@harnesshero/client/analytics` admin reports
 * - `@harnesshero/client/events`    event envelope and payloads
 * - `@harnesshero/client/validation` the contracts' rules in the page
 *   (protovalidate: CEL and RE2; load it only where a form validates)
 * - `@harnesshero/client/all`       everything, and createHarnessClient
 *
 * ```ts
 * import { createTransport } from "@harnesshero/client";
 * import { createCatalogClient, Style, Size, Material, Hardware, Color } from "@harnesshero/client/catalog";
 *
 * const catalog = createCatalogClient(createTransport({ baseUrl: "http://127.0.0.1:4000" }));
 * const { quote } = await catalog.quote({
 *   design: { style: Style.STEP_IN, size: Size.M, material: Material.NYLON,
 *             hardware: Hardware.PLASTIC, webbingColor: Color.RED },
 *   quantity: 1,
 * });
 * ```
 *
 * @packageDocumentation
 */

export { createTransport, bearerTokenInterceptor, type TokenSource, type TransportOptions } from "./transport.js";

export {
  createAuthInterceptor,
  REFRESH_LOCK,
  withRefreshLock,
  memoryTokenStore,
  webStorageTokenStore,
  tokensFromSession,
  type AuthInterceptorOptions,
  type SessionTokens,
  type StorageLike,
  type TokenStore,
} from "./auth.js";

export { violationsOf, fieldErrors, type FieldViolation, type ViolationOptions } from "./violations.js";

// What an app needs from @connectrpc/connect, so it need not depend on it
// directly: the error type and codes, clients, and the interceptor type.
export {
  Code,
  ConnectError,
  createClient,
  type CallOptions,
  type Client,
  type Interceptor,
  type Transport,
} from "@connectrpc/connect";

// What an app needs from @bufbuild/protobuf to build, copy and serialize
// messages, e.g. to pass a message from a Server Component to a Client
// Component as JSON: toJson(QuoteSchema, quote) then fromJson(QuoteSchema, json).
export {
  clone,
  create,
  equals,
  fromBinary,
  fromJson,
  fromJsonString,
  isMessage,
  toBinary,
  toJson,
  toJsonString,
  type DescMessage,
  type DescService,
  type JsonObject,
  type JsonValue,
  type Message,
  type MessageInitShape,
  type MessageJsonType,
  type MessageShape,
} from "@bufbuild/protobuf";
export { timestampDate, timestampFromDate, timestampNow, type Timestamp } from "@bufbuild/protobuf/wkt";
