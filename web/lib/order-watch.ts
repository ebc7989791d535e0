"use client";

// The order page's live status. With WatchOrder (a server-streaming RPC of
// harness.order.v1.OrderService: the order now, then once per change) the
// page follows payment and admin moves as they happen, without polling.
// The server ends the stream cleanly once the order is final (DELIVERED or
// REFUNDED): the page then stops watching. It ends it with Unavailable when
// it drains, and refuses it with ResourceExhausted when the user (or the
// server) has too many open: the page reopens it, backing off.

import { useEffect, useState } from "react";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectQueryKey, useQuery, useTransport } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";

import { CSRF_HEADERS } from "./csrf";
import { GetOrderResponseSchema, OrderService, type Order } from "./harness";

/** Asks the app's server to refresh the session now; whether it is still signed in. */
async function refreshSession(): Promise<boolean> {
  try {
    return (await fetch("/api/session", { method: "POST", headers: CSRF_HEADERS })).ok;
  } catch {
    return false;
  }
}

type WatchOrder = (req: { id: string }, options: { signal: AbortSignal }) => AsyncIterable<{ order?: Order }>;

/** WatchOrder of the generated client. */
export function watchOrderOf(transport: Transport): WatchOrder {
  return createClient(OrderService, transport).watchOrder;
}

/** Errors after which reopening the stream cannot help. */
const FINAL = new Set([Code.NotFound, Code.PermissionDenied, Code.InvalidArgument, Code.Unauthenticated, Code.Unimplemented]);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/**
 * The order with id, kept current. `live` is true while a WatchOrder stream
 * is open (the page says so); `refresh` reads the order again (after the
 * user's own action, when not live).
 */
export function useOrderWatch(id: string) {
  const transport = useTransport();
  const queryClient = useQueryClient();
  const [live, setLive] = useState(false);
  const [streamError, setStreamError] = useState<ConnectError | null>(null);
  const query = useQuery(OrderService.method.getOrder, { id }, { staleTime: Infinity });

  useEffect(() => {
    const watch = watchOrderOf(transport);
    const key = createConnectQueryKey({ schema: OrderService.method.getOrder, input: { id }, transport, cardinality: "finite" });
    const ctrl = new AbortController();
    void (async () => {
      let attempt = 0;
      let refreshed = false;
      while (!ctrl.signal.aborted) {
        try {
          for await (const res of watch({ id }, { signal: ctrl.signal })) {
            attempt = 0;
            refreshed = false;
            setLive(true);
            setStreamError(null);
            if (res.order) queryClient.setQueryData(key, create(GetOrderResponseSchema, { order: res.order }));
          }
          // A clean end: the order is final, nothing more will change.
          setLive(false);
          return;
        } catch (err) {
          if (ctrl.signal.aborted) return;
          const ce = ConnectError.from(err);
          if (ce.code === Code.Unauthenticated && !refreshed) {
            // A stream cannot be replayed by the transport's interceptor:
            // refresh the session here and reopen it once.
            refreshed = true;
            if (await refreshSession()) continue;
          }
          if (FINAL.has(ce.code)) {
            setLive(false);
            setStreamError(ce);
            return;
          }
        }
        setLive(false);
        attempt++;
        await sleep(Math.min(30_000, 250 * 2 ** attempt), ctrl.signal);
      }
    })();
    return () => ctrl.abort();
  }, [id, transport, queryClient]);

  return {
    order: query.data?.order,
    error: query.error ?? streamError,
    isPending: query.isPending,
    live,
    refresh: () => void query.refetch(),
  };
}
