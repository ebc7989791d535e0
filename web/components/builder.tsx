"use client";

// The builder page's client part: it opens the design to edit — a saved one
// (?design=ID), the one in progress kept in the address (?d=…, so a reload
// or Back keeps it), or the default — and says so plainly when a saved
// design cannot be opened, instead of showing the default as if it were.

import { useState } from "react";
import Link from "next/link";
import { skipToken, useQuery } from "@connectrpc/connect-query";

import { useHydrated, useSession } from "@/app/providers";
import { DEFAULT_FORM, fromDesign, type DesignForm } from "@/lib/design";
import { decodeDesign } from "@/lib/design-url";
import { Code, DesignService, type Catalog } from "@/lib/harness";
import { BuilderForm } from "./builder-form";

/** The design in the address when the builder mounts (after Back too, whose page props may be older). */
function fromAddress(fallback: { d?: string; q?: string }): { form?: DesignForm; quantity: string; unreadable: boolean } {
  const params = typeof window === "undefined" ? new URLSearchParams(fallback as Record<string, string>) : new URLSearchParams(window.location.search);
  const d = params.get("d");
  const q = params.get("q");
  const form = d ? decodeDesign(d) : undefined;
  return { form, quantity: q && /^\d{1,2}$/.test(q) ? q : "1", unreadable: Boolean(d) && !form };
}

export function Builder({ catalog, designId, d, q }: { catalog: Catalog; designId?: string; d?: string; q?: string }) {
  const session = useSession();
  const hydrated = useHydrated();
  const [start] = useState(() => fromAddress({ ...(d ? { d } : {}), ...(q ? { q } : {}) }));
  const saved = useQuery(DesignService.method.getDesign, designId && session ? { id: designId } : skipToken, { retry: false });

  if (!designId) {
    return (
      <>
        {start.unreadable ? (
          <p className="alert" role="alert" data-testid="unreadable-link">
            The design in this link could not be read, so the builder starts from the default design.
          </p>
        ) : null}
        <BuilderForm catalog={catalog} initial={{ form: start.form ?? DEFAULT_FORM, quantity: start.quantity }} />
      </>
    );
  }
  if (!hydrated || (session && saved.isPending)) {
    return <p className="muted">Opening your design…</p>;
  }
  if (!session) {
    return (
      <div className="card" role="alert" data-testid="design-problem">
        <h2 style={{ marginTop: 0 }}>Sign in to open this design</h2>
        <p>Saved designs belong to an account.</p>
        <p className="row">
          <Link className="button" href={`/signin?next=${encodeURIComponent(`/?design=${designId}`)}`}>
            Sign in
          </Link>
          <Link href="/">Start a new design</Link>
        </p>
      </div>
    );
  }
  const found = saved.data?.design;
  if (saved.error || !found?.design) {
    const missing = !saved.error || [Code.NotFound, Code.InvalidArgument, Code.PermissionDenied].includes(saved.error.code);
    return (
      <div className="card" role="alert" data-testid="design-problem">
        <h2 style={{ marginTop: 0 }}>{missing ? "This design could not be found" : "This design could not be opened"}</h2>
        <p>
          {missing
            ? `None of your saved designs has the id “${designId}”. It may have been deleted, or the link is incomplete.`
            : `The shop did not answer: ${saved.error?.rawMessage}. Try again in a moment.`}
        </p>
        <p className="row">
          <Link href="/designs">Your saved designs</Link>
          <Link href="/">Start a new design</Link>
        </p>
      </div>
    );
  }
  return (
    <BuilderForm
      catalog={catalog}
      initial={{ form: start.form ?? fromDesign(found.design), quantity: start.quantity }}
      opened={{ id: found.id, name: found.name, version: found.version, form: fromDesign(found.design) }}
    />
  );
}
