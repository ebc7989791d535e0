/**
 * @harnesshero/client/catalog: the public catalog, quotes and size advice
 * (CatalogService, harness.builder.v1), with the messages and enums of a
 * design. Needs no sign-in. Importing it loads the catalog's and the
 * design's contracts only.
 *
 * ```ts
 * const catalog = createCatalogClient(createTransport({ baseUrl }));
 * const { quote } = await catalog.quote({ design, quantity: 1 });
 * ```
 *
 * @module
 */

import { createClient, type Client, type Transport } from "@connectrpc/connect";

import { CatalogService } from "./gen/harness/builder/v1/catalog_service_pb.js";

export * from "./gen/harness/builder/v1/catalog_pb.js";
export * from "./gen/harness/builder/v1/design_pb.js";
export * from "./gen/harness/builder/v1/catalog_service_pb.js";

/** A client of CatalogService. */
export type CatalogClient = Client<typeof CatalogService>;

/** Creates a client of CatalogService on transport (see createTransport). */
export function createCatalogClient(transport: Transport): CatalogClient {
  return createClient(CatalogService, transport);
}
