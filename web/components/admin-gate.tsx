"use client";

import { useEffect, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useQuery } from "@connectrpc/connect-query";

import { useSession } from "@/app/providers";
import { Role, UserService } from "@/lib/harness";
import { tokenRole } from "@/lib/role";
import { isDenied, RoleChanged } from "./role-changed";

/**
 * Renders children for an admin (as the server says now), else says why
 * not. When the server's role and the session token's differ (made admin,
 * or no longer, since signing in), the admin calls would be refused with
 * the token's role: the page asks to sign in again instead.
 */
export function AdminGate({ children }: { children: ReactNode }) {
  const session = useSession();
  const profile = useQuery(UserService.method.getProfile, {});
  const denied = useDenied();
  if (profile.isPending) return <p className="muted">Loading…</p>;
  if (profile.error) return <p className="alert">Could not load your profile: {profile.error.rawMessage}</p>;
  const admin = profile.data.user?.role === Role.ADMIN;
  const claimed = tokenRole(session?.accessToken);
  if (denied || (claimed !== "" && (claimed === "admin") !== admin)) return <RoleChanged />;
  if (!admin) {
    return <p className="card">This page is for the shop&apos;s admins. An admin is made with <code>harness users grant-admin EMAIL</code>.</p>;
  }
  return <>{children}</>;
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
