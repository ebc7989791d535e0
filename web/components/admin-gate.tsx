"use client";

import type { ReactNode } from "react";
import { useQuery } from "@connectrpc/connect-query";

import { Role, UserService } from "@/lib/harness";

/** Renders children for an admin (as the server says now), else says why not. */
export function AdminGate({ children }: { children: ReactNode }) {
  const profile = useQuery(UserService.method.getProfile, {});
  if (profile.isPending) return <p className="muted">Loading…</p>;
  if (profile.error) return <p className="alert">Could not load your profile: {profile.error.rawMessage}</p>;
  if (profile.data.user?.role !== Role.ADMIN) {
    return <p className="card">This page is for the shop&apos;s admins. An admin is made with <code>harness users grant-admin EMAIL</code>.</p>;
  }
  return <>{children}</>;
}
