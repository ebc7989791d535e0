/**
 * @harnesshero/client: the typed client of the Harness Hero platform.
 *
 * - {@link createHarnessClient} builds the Connect clients of every service
 *   (`catalog`, `designs`, `users`, `orders`, `analytics`) over fetch, with an optional
 *   bearer token.
 * - {@link validateDesign} / {@link validate} check a message against the
 *   contract's own rules (including the cross-field CEL rules) before it is
 *   sent, so a page can show the same errors the server would.
 * - {@link violationsOf} turns a server's InvalidArgument error into the same
 *   `{ field, ruleId, message }[]` shape.
 * - Every generated message schema, type, enum and service descriptor of
 *   harness.builder.v1 is re-exported, e.g. `DesignSchema`, `Style`,
 *   `CatalogService`. Build messages with `create` from @bufbuild/protobuf,
 *   or pass plain init objects to the client methods.
 *
 * ```ts
 * import { createHarnessClient, Style, Size, Material, Hardware, Color } from "@harnesshero/client";
 *
 * const harness = createHarnessClient({ baseUrl: "http://127.0.0.1:4000" });
 * const { quote } = await harness.catalog.quote({
 *   design: { style: Style.STEP_IN, size: Size.M, material: Material.NYLON,
 *             hardware: Hardware.PLASTIC, webbingColor: Color.RED },
 *   quantity: 1,
 * });
 * ```
 *
 * @packageDocumentation
 */

export {
  createHarnessClient,
  bearerTokenInterceptor,
  type HarnessClient,
  type HarnessClientOptions,
  type TokenSource,
} from "./client.js";

export {
  validate,
  validateDesign,
  violationsOf,
  type FieldViolation,
  type ValidationOutcome,
} from "./validation.js";

// The contract: messages, enums and services of harness.builder.v1.
export * from "./gen/harness/builder/v1/catalog_pb.js";
export * from "./gen/harness/builder/v1/design_pb.js";
export * from "./gen/harness/builder/v1/catalog_service_pb.js";
export * from "./gen/harness/builder/v1/design_service_pb.js";

// harness.user.v1: accounts and sessions.
export * from "./gen/harness/user/v1/user_pb.js";
export * from "./gen/harness/user/v1/user_service_pb.js";
export * from "./gen/harness/user/v1/events_pb.js";

// harness.builder.v1 event payloads, and the envelope every event travels in.
export * from "./gen/harness/builder/v1/events_pb.js";
export * from "./gen/harness/events/v1/envelope_pb.js";

// harness.order.v1: orders, and their events.
export * from "./gen/harness/order/v1/order_pb.js";
export * from "./gen/harness/order/v1/order_service_pb.js";
export * from "./gen/harness/order/v1/events_pb.js";

// harness.analytics.v1: admin reports.
export * from "./gen/harness/analytics/v1/analytics_service_pb.js";

// The error detail of validation errors, for callers that want the raw
// buf.validate.Violations rather than violationsOf's plain shape. The whole
// buf.validate package is also available as the `bufValidate` namespace.
export {
  ViolationsSchema,
  ViolationSchema,
  FieldPathSchema,
  FieldPathElementSchema,
  type Violations,
  type Violation,
  type FieldPath,
  type FieldPathElement,
} from "./gen/buf/validate/validate_pb.js";
export * as bufValidate from "./gen/buf/validate/validate_pb.js";

// Connect's error type and codes, so callers need not depend on
// @connectrpc/connect directly to tell a NotFound from an Aborted.
export { ConnectError, Code } from "@connectrpc/connect";
