"use client";

// The client-side context of every page: TanStack Query, connect-query's
// transport (through the app's own proxy, /api/rpc, which holds the
// session's tokens), and the public settings.

import { createContext, useContext, useMemo, useState, useSyncExternalStore, type ReactNode } from "react";
import { TransportProvider } from "@connectrpc/connect-query";
import { Code, ConnectError } from "@connectrpc/connect";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

import type { PublicConfig } from "@/lib/config";
import { getSession, subscribeSession, type StoredSession } from "@/lib/session";
import { createAppTransport } from "@/lib/transport";

const ConfigContext = createContext<PublicConfig & { baseUrl: string }>({
  baseUrl: "",
  testPayments: false,
  stripePublishableKey: "",
});

/** The public settings, and the API's resolved base URL. */
export function useConfig() {
  return useContext(ConfigContext);
}

/** The signed-in session, or null (null while the page hydrates). */
export function useSession(): StoredSession | null {
  return useSyncExternalStore(subscribeSession, getSession, () => null);
}

/** Whether the page runs in the browser yet (false during hydration). */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    () => () => {},
    () => true,
    () => false,
  );
}

function retry(failures: number, err: unknown): boolean {
  // Only what may pass on its own is retried: an unavailable server.
  return failures < 2 && err instanceof ConnectError && err.code === Code.Unavailable;
}

export function Providers({ config, children }: { config: PublicConfig; children: ReactNode }) {
  const [queryClient] = useState(
    () => new QueryClient({ defaultOptions: { queries: { staleTime: 5_000, retry }, mutations: { retry: false } } }),
  );
  // The browser calls the app's proxy, never the API itself: the session's
  // tokens stay in httpOnly cookies the page cannot read.
  const baseUrl = `${typeof window === "undefined" ? "http://localhost" : window.location.origin}/api/rpc`;
  const transport = useMemo(() => createAppTransport(baseUrl), [baseUrl]);
  const value = useMemo(() => ({ ...config, baseUrl }), [config, baseUrl]);
  return (
    <ConfigContext.Provider value={value}>
      <TransportProvider transport={transport}>
        <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
      </TransportProvider>
    </ConfigContext.Provider>
  );
}
