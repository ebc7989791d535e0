"use client";

// The user's saved designs: open, rename, add to cart, delete.

import { useState } from "react";
import Link from "next/link";
import { useInfiniteQuery, useMutation } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";

import { addSavedToCart, removeDesign } from "@/lib/cart";
import { getCart, saveCart } from "@/lib/cart-store";
import { DesignService, type Catalog, type SavedDesign } from "@/lib/harness";
import { describeDesign } from "@/lib/labels";
import { formatCents } from "@/lib/money";
import { HarnessPicture } from "./harness-picture";

export function DesignList({ catalog }: { catalog: Catalog }) {
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState("");
  const list = useInfiniteQuery(
    DesignService.method.listDesigns,
    { pageSize: 20, pageToken: "" },
    { pageParamKey: "pageToken", getNextPageParam: (last) => last.nextPageToken || undefined },
  );
  const remove = useMutation(DesignService.method.deleteDesign, {
    onSuccess: async (_res, req) => {
      saveCart(removeDesign(getCart(), req.id ?? ""));
      setNotice("Design deleted.");
      await queryClient.invalidateQueries();
    },
  });
  const designs: SavedDesign[] = list.data?.pages.flatMap((p) => p.designs) ?? [];

  if (list.isPending) return <p className="muted">Loading your designs…</p>;
  if (list.error) return <p className="alert">Could not load your designs: {list.error.rawMessage}</p>;

  return (
    <div className="stack">
      <div aria-live="polite">{notice ? <p className="notice">{notice}</p> : null}</div>
      {designs.length === 0 ? (
        <p className="card">
          No saved designs yet. <Link href="/">Design a harness</Link> and save it.
        </p>
      ) : (
        <table aria-label="Saved designs">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Design</th>
              <th scope="col" className="num">
                Unit price
              </th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {designs.map((d) => (
              <tr key={d.id} data-design-id={d.id}>
                <td>
                  <Link href={`/?design=${d.id}`}>{d.name || "Untitled design"}</Link>
                </td>
                <td className="muted">
                  <div className="with-thumb">
                    <HarnessPicture catalog={catalog} design={d.design} width={96} id={`design-${d.id}`} decorative />
                    <span>{describeDesign(catalog, d.design)}</span>
                  </div>
                </td>
                <td className="num" data-cents={d.quote?.unitPriceCents}>
                  {d.quote ? formatCents(d.quote.unitPriceCents) : "—"}
                </td>
                <td>
                  <div className="row">
                    <Link className="button small secondary" href={`/?design=${d.id}`}>
                      Open
                    </Link>
                    <button
                      type="button"
                      className="small secondary"
                      onClick={() => {
                        const r = addSavedToCart(getCart(), d.id, 1, crypto.randomUUID());
                        if (r.added) saveCart(r.cart);
                        setNotice(r.added ? `“${d.name || "Untitled design"}” added to your cart.` : r.reason);
                      }}
                    >
                      Add to cart
                    </button>
                    <button
                      type="button"
                      className="small danger"
                      disabled={remove.isPending}
                      aria-label={`Delete ${d.name || "untitled design"}`}
                      onClick={() => {
                        if (window.confirm(`Delete “${d.name || "Untitled design"}”?`)) remove.mutate({ id: d.id });
                      }}
                    >
                      Delete
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.hasNextPage ? (
        <button type="button" className="secondary" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          More designs
        </button>
      ) : null}
      {remove.error ? <p className="alert">Could not delete: {remove.error.rawMessage}</p> : null}
    </div>
  );
}
