"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useQueryClient } from "@tanstack/react-query";

import { useSession } from "@/app/providers";
import { CSRF_HEADERS } from "@/lib/csrf";
import { setSession } from "@/lib/session";
import { useCart } from "./hooks";

const LINKS = [
  { href: "/", label: "Build" },
  { href: "/designs", label: "My designs" },
  { href: "/orders", label: "Orders" },
];

export function Nav() {
  const session = useSession();
  const cart = useCart();
  const pathname = usePathname();
  const router = useRouter();
  const queryClient = useQueryClient();
  const count = cart.reduce((n, l) => n + l.quantity, 0);

  async function signOut() {
    try {
      // SignOut on the API, and the session's cookies cleared.
      await fetch("/api/session", { method: "DELETE", headers: CSRF_HEADERS });
    } catch {
      // signed out locally whatever the server says
    }
    setSession(null);
    queryClient.clear();
    router.push("/");
  }

  const current = (href: string) => (href === "/" ? pathname === "/" : pathname.startsWith(href));
  return (
    <header className="topbar">
      <nav aria-label="Main" className="nav">
        <Link href="/" className="brand">
          Harness&nbsp;Hero
        </Link>
        <ul>
          {LINKS.map((l) => (
            <li key={l.href}>
              <Link href={l.href} aria-current={current(l.href) ? "page" : undefined}>
                {l.label}
              </Link>
            </li>
          ))}
          <li>
            <Link href="/cart" aria-current={current("/cart") ? "page" : undefined}>
              Cart{count > 0 ? <span className="badge" aria-label={`${count} items`}>{count}</span> : null}
            </Link>
          </li>
          {session?.user.admin ? (
            <li>
              <Link href="/admin" aria-current={current("/admin") ? "page" : undefined}>
                Admin
              </Link>
            </li>
          ) : null}
        </ul>
        <div className="account">
          {session ? (
            <>
              <span className="muted" data-testid="signed-in-as">
                {session.user.displayName}
              </span>
              <button type="button" className="link" onClick={signOut}>
                Sign out
              </button>
            </>
          ) : (
            <>
              <Link href="/signin">Sign in</Link>
              <Link href="/register" className="button small">
                Create account
              </Link>
            </>
          )}
        </div>
      </nav>
    </header>
  );
}
