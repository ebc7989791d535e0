"use client";

import { useMemo, useSyncExternalStore } from "react";
import { createClient, type Client } from "@connectrpc/connect";
import { useTransport } from "@connectrpc/connect-query";
import type { DescService } from "@bufbuild/protobuf";

import { getCart, getServerCart, subscribeCart } from "@/lib/cart-store";
import type { CartLine } from "@/lib/cart";

/** The stored cart, live across tabs. */
export function useCart(): CartLine[] {
  return useSyncExternalStore(subscribeCart, getCart, getServerCart);
}

/** A typed client of service over the app's transport, for imperative calls. */
export function useClient<S extends DescService>(service: S): Client<S> {
  const transport = useTransport();
  return useMemo(() => createClient(service, transport), [service, transport]);
}
