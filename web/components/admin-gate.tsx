"use client";

import { useEffect, useState, type ReactNode } from "react";
import { useQuery as useTanstackQuery, useQueryClient } from "@tanstack/react-query";
import { useQuery } from "@connectrpc/connect-query";

import { CSRF_HEADERS } from "@/lib/csrf";
import { Role, UserService } from "@/lib/harness";
import { isDenied, RoleChanged } from "./role-changed";

/**
 * Renders children for an admin (as the server says now), else says why
 * not. When the server's role and the session token's differ (made admin,
 * or no longer, since signing in), the admin calls would be refused with
 * the token's role: the page asks to sign in again instead.
 */
export function AdminGate({ children }: { children: ReactNode }) {
  const profile = useQuery(UserService.method.getProfile, {});
  const claim = useClaimedRole();
  const denied = useDenied();
  if (profile.isPending || claim.isPending) return <p className="muted">Loading…</p>;
  if (profile.error) return <p className="alert">Could not load your profile: {profile.error.rawMessage}</p>;
  const admin = profile.data.user?.role === Role.ADMIN;
  const claimed = claim.data ?? "";
  if (denied || (claimed !== "" && (claimed === "admin") !== admin)) return <RoleChanged />;
  if (!admin) {
    return <p className="card">This page is for the shop&apos;s admins. An admin is made with <code>harness users grant-admin EMAIL</code>.</p>;
  }
  return <>{children}</>;
}

/**
 * The role the session's access token claims ("admin", "user"; "" unknown),
 * as the app's server reads it from the cookie the page cannot read.
 */
function useClaimedRole() {
  return useTanstackQuery({
    queryKey: ["session-role"],
    staleTime: 0,
    queryFn: async () => {
      const res = await fetch("/api/session", { headers: CSRF_HEADERS, cache: "no-store" });
      if (!res.ok) return "";
      const { role } = (await res.json()) as { role?: unknown };
      return typeof role === "string" ? role : "";
    },
  });
}

/**
 * Whether any query of the page was refused with PermissionDenied: the
 * page then shows one "sign in again" instead of an error per section.
 */
function useDenied(): boolean {
  const cache = useQueryClient().getQueryCache();
  const [denied, setDenied] = useState(() => cache.getAll().some((q) => isDenied(q.state.error as never)));
  useEffect(
    () =>
      cache.subscribe((e) => {
        if (e.type === "updated" && isDenied(e.query.state.error as never)) setDenied(true);
      }),
    [cache],
  );
  return denied;
}
