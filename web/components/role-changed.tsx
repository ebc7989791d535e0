"use client";

// "Your role changed: sign in again": what an admin page shows when the
// server refuses the session's token (PermissionDenied) or the profile's
// role differs from the token's, instead of a row of "admins only" errors.

import Link from "next/link";
import { usePathname } from "next/navigation";

import { Code } from "@/lib/harness";

/** Whether err is the server refusing an admin call to this session. */
export function isDenied(err: { code: Code } | null | undefined): boolean {
  return err?.code === Code.PermissionDenied;
}

export function RoleChanged() {
  const pathname = usePathname();
  return (
    <p className="alert" role="alert" data-testid="role-changed">
      Your role changed: sign in again.{" "}
      <Link href={`/signin?next=${encodeURIComponent(pathname)}`}>Sign in</Link>
    </p>
  );
}
