// The API as the Next server calls it (Server Components, route handlers).

import "server-only";

import { createClient, createTransport } from "@harnesshero/client";
import { CatalogService, type Catalog } from "@harnesshero/client/catalog";
import { OrderService } from "@harnesshero/client/orders";

import { serverApiUrl } from "./config";

function transport(token?: string) {
  return createTransport({ baseUrl: serverApiUrl(), defaultTimeoutMs: 10_000, ...(token ? { token } : {}) });
}

/** The public catalog: styles, sizes, materials, colours, prices, rules. */
export async function loadCatalog(): Promise<Catalog> {
  const { catalog } = await createClient(CatalogService, transport()).getCatalog({});
  if (!catalog) throw new Error("the API answered no catalog");
  return catalog;
}

/** The order service as the caller whose bearer token is given. */
export function ordersAs(token: string) {
  return createClient(OrderService, transport(token));
}
