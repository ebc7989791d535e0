"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";

import { useHydrated, useSession } from "@/app/providers";

/** Renders children for a signed-in user, else a way to sign in. */
export function RequireSession({ what, children }: { what: string; children: ReactNode }) {
  const hydrated = useHydrated();
  const session = useSession();
  const pathname = usePathname();
  if (!hydrated) return <p className="muted">Loading…</p>;
  if (!session) {
    const next = encodeURIComponent(pathname);
    return (
      <p className="card">
        <Link href={`/signin?next=${next}`}>Sign in</Link> or <Link href={`/register?next=${next}`}>create an account</Link>{" "}
        to see {what}.
      </p>
    );
  }
  return <>{children}</>;
}
