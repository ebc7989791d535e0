/**
 * @harnesshero/client/analytics: admin reports built from the platform's
 * events (AnalyticsService, harness.analytics.v1). Admins only.
 *
 * @module
 */

import { createClient, type Client, type Transport } from "@connectrpc/connect";

import { AnalyticsService } from "./gen/harness/analytics/v1/analytics_service_pb.js";

export * from "./gen/harness/analytics/v1/analytics_service_pb.js";

/** A client of AnalyticsService. */
export type AnalyticsClient = Client<typeof AnalyticsService>;

/** Creates a client of AnalyticsService on transport (see createTransport). */
export function createAnalyticsClient(transport: Transport): AnalyticsClient {
  return createClient(AnalyticsService, transport);
}
