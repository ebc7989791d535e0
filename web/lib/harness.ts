// What the app takes from @harnesshero/client, by subpath: a page pulls in
// only the services it calls. Validation (protovalidate with CEL and RE2)
// is imported from "@harnesshero/client/validation" only by the forms that
// check rules in the page.

export {
  Code,
  ConnectError,
  createClient,
  create,
  timestampDate,
  violationsOf,
  type FieldViolation,
  type MessageInitShape,
} from "@harnesshero/client";
export {
  CatalogService,
  DesignSchema,
  Style,
  Size,
  Material,
  Hardware,
  Color,
  type Catalog,
  type Design,
  type LineQuote,
} from "@harnesshero/client/catalog";
export { DesignService, type SavedDesign } from "@harnesshero/client/designs";
export { UserService, Role, RegisterRequestSchema, SignInRequestSchema } from "@harnesshero/client/users";
export {
  OrderService,
  OrderStatus,
  GetOrderResponseSchema,
  ShippingAddressSchema,
  type Order,
} from "@harnesshero/client/orders";
export { AnalyticsService, type DailyStats } from "@harnesshero/client/analytics";
