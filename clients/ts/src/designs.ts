/**
 * @harnesshero/client/designs: the signed-in user's saved designs
 * (DesignService, harness.builder.v1), with the messages and enums of a
 * design. Every call needs a signed-in caller.
 *
 * @module
 */

import { createClient, type Client, type Transport } from "@connectrpc/connect";

import { DesignService } from "./gen/harness/builder/v1/design_service_pb.js";

export * from "./gen/harness/builder/v1/catalog_pb.js";
export * from "./gen/harness/builder/v1/design_pb.js";
export * from "./gen/harness/builder/v1/design_service_pb.js";

/** A client of DesignService. */
export type DesignsClient = Client<typeof DesignService>;

/** Creates a client of DesignService on transport (see createTransport). */
export function createDesignsClient(transport: Transport): DesignsClient {
  return createClient(DesignService, transport);
}
