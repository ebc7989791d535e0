/**
 * @harnesshero/client/orders: orders and payments (OrderService,
 * harness.order.v1): create with an idempotency key, pay with the returned
 * `payment.clientSecret`, list, get, cancel; admin moves and refunds. The
 * design of an order line is a harness.builder.v1 Design: build it with the
 * enums of "@harnesshero/client/catalog".
 *
 * @module
 */

import { createClient, type Client, type Transport } from "@connectrpc/connect";

import { OrderService } from "./gen/harness/order/v1/order_service_pb.js";

export * from "./gen/harness/order/v1/order_pb.js";
export * from "./gen/harness/order/v1/order_service_pb.js";

/** A client of OrderService. */
export type OrdersClient = Client<typeof OrderService>;

/** Creates a client of OrderService on transport (see createTransport). */
export function createOrdersClient(transport: Transport): OrdersClient {
  return createClient(OrderService, transport);
}
