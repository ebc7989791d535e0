"use client";

// Saving the builder's design to the user's designs (a new design with an
// idempotency key, so a retried save saves once; changes with the version
// read, so a concurrent change is refused) and adding it to the cart: a
// signed-in user's saved design by its id, a guest's design in progress as
// it is (saved at checkout, once they have an account).

import { useState } from "react";
import Link from "next/link";
import { useMutation } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";

import { useSession } from "@/app/providers";
import { addDesignToCart, addSavedToCart, type AddResult } from "@/lib/cart";
import { getCart, saveCart } from "@/lib/cart-store";
import { toDesign, type DesignForm } from "@/lib/design";
import { builderSearch, encodeDesign } from "@/lib/design-url";
import { Code, ConnectError, DesignService, violationsOf, type SavedDesign } from "@/lib/harness";
import { forgetIdempotencyKey, idempotencyKey } from "@/lib/idempotency";
import type { DesignInit } from "@/lib/options";

export type Opened = Pick<SavedDesign, "id" | "name" | "version">;

// The idempotency key of a save as a new design: kept while the same design
// is saved again after a failure, so a retry cannot save it twice.
const CREATE_KEY = "harness.create-design";

export function useSaver(args: {
  design: DesignInit;
  form: DesignForm;
  quantity: number;
  quantityText: string;
  valid: boolean;
  opened?: Opened & { form: DesignForm };
}) {
  const { design, quantity, quantityText, valid } = args;
  const session = useSession();
  const queryClient = useQueryClient();
  const [name, setName] = useState(args.opened?.name ?? "");
  const [opened, setOpened] = useState<Opened | null>(args.opened ? { id: args.opened.id, name: args.opened.name, version: args.opened.version } : null);
  const [openedJson, setOpenedJson] = useState(args.opened ? JSON.stringify(toDesign(args.opened.form).design) : "");
  const [notice, setNotice] = useState("");
  const [error, setError] = useState("");
  const [attempted, setAttempted] = useState(false);
  const create = useMutation(DesignService.method.createDesign);
  const update = useMutation(DesignService.method.updateDesign);
  const dirty = opened === null || JSON.stringify(design) !== openedJson || name !== opened.name;

  async function save(asNew: boolean) {
    setNotice("");
    setError("");
    setAttempted(true);
    if (!valid) {
      // The errors show now; the first invalid input takes the focus.
      requestAnimationFrame(() => document.querySelector<HTMLElement>('form[aria-label="Harness design"] [aria-invalid="true"]')?.focus());
      return;
    }
    const updating = opened !== null && !asNew;
    try {
      const res = updating
        ? await update.mutateAsync({ id: opened.id, name, design, expectedVersion: opened.version })
        : await create.mutateAsync({ name, design, idempotencyKey: idempotencyKey(CREATE_KEY, "design", JSON.stringify({ name, design })) });
      if (!updating) forgetIdempotencyKey(CREATE_KEY);
      const d = res.design!;
      setOpened({ id: d.id, name: d.name, version: d.version });
      setOpenedJson(JSON.stringify(design));
      // The address names the open design; no server round trip.
      window.history.replaceState(window.history.state, "", `/${builderSearch(d.id, design, quantityText)}`);
      setNotice(updating ? "Changes saved." : "Design saved.");
      await queryClient.invalidateQueries();
    } catch (err) {
      if (err instanceof ConnectError && err.code === Code.Aborted) {
        setError("This design was changed elsewhere. Reload it to see the latest version.");
      } else if (err instanceof ConnectError && err.code === Code.InvalidArgument) {
        setError(violationsOf(err).map((x) => x.message).join(" ") || err.rawMessage);
      } else {
        setError(err instanceof ConnectError ? err.rawMessage : "Could not save the design.");
      }
    }
  }

  function added(r: AddResult) {
    if (r.added) {
      saveCart(r.cart);
      setNotice("Added to your cart.");
    } else {
      setError(r.reason);
    }
  }

  function addOpenedToCart() {
    if (!opened) return;
    setNotice("");
    setError("");
    added(addSavedToCart(getCart(), opened.id, quantity, crypto.randomUUID()));
  }

  /** A guest's design in progress into the cart, as it is (the errors show first when it is not valid). */
  function addDesignInProgress() {
    setNotice("");
    setError("");
    if (!valid) {
      setAttempted(true);
      requestAnimationFrame(() => document.querySelector<HTMLElement>('form[aria-label="Harness design"] [aria-invalid="true"]')?.focus());
      return;
    }
    added(addDesignToCart(getCart(), encodeDesign(design), quantity, crypto.randomUUID()));
  }

  return {
    session,
    name,
    setName: (n: string) => {
      setNotice("");
      setName(n);
    },
    opened,
    dirty,
    attempted,
    notice,
    error,
    busy: create.isPending || update.isPending,
    save,
    addOpenedToCart,
    addDesignInProgress,
    clearNotice: () => setNotice(""),
  };
}

export type Saver = ReturnType<typeof useSaver>;

/** The next step: save, save changes, or add the saved design to the cart (compact: one button, for the price bar). */
export function SaveActions({ saver, valid, compact }: { saver: Saver; valid: boolean; compact?: boolean }) {
  const { opened, dirty, busy } = saver;
  if (!saver.session) {
    return (
      <>
        <button type="button" className={compact ? "small" : undefined} onClick={saver.addDesignInProgress}>
          Add to cart
        </button>
        {compact ? null : <Link href="/cart">Go to cart</Link>}
      </>
    );
  }
  if (compact) {
    return opened && !dirty ? (
      <button type="button" className="small" onClick={saver.addOpenedToCart}>
        Add to cart
      </button>
    ) : (
      <button type="button" className="small" disabled={busy || (!!opened && !dirty)} onClick={() => void saver.save(false)}>
        {opened ? "Save changes" : "Save"}
      </button>
    );
  }
  return (
    <>
      <div className="row">
        <button type="submit" disabled={busy || !dirty}>
          {opened ? "Save changes" : "Save design"}
        </button>
        {opened ? (
          <button type="button" className="secondary" disabled={!valid || busy} onClick={() => void saver.save(true)}>
            Save as new
          </button>
        ) : null}
      </div>
      {opened ? (
        <div className="row" style={{ marginTop: "0.75rem" }}>
          <button type="button" className="secondary" disabled={dirty} onClick={saver.addOpenedToCart}>
            Add to cart
          </button>
          {dirty ? <span className="hint">Save your changes first.</span> : <Link href="/cart">Go to cart</Link>}
        </div>
      ) : (
        <p className="hint">Save the design to add it to your cart.</p>
      )}
    </>
  );
}

export function SaveCard({ saver, valid }: { saver: Saver; valid: boolean }) {
  return (
    <section className="card" aria-labelledby="save-heading">
      <h2 id="save-heading" style={{ marginTop: 0 }}>
        {saver.opened ? "Your saved design" : saver.session ? "Save this design" : "Order this design"}
      </h2>
      {saver.session ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void saver.save(false);
          }}
        >
          <div className="field">
            <label htmlFor="designName">Name</label>
            <input
              id="designName"
              type="text"
              maxLength={80}
              value={saver.name}
              placeholder="e.g. Biscuit's walking harness"
              onChange={(e) => saver.setName(e.target.value)}
            />
          </div>
          <SaveActions saver={saver} valid={valid} />
        </form>
      ) : (
        <>
          <p>
            Add it to your cart as it is: you sign in or create an account at checkout, and your cart comes with you.
          </p>
          <div className="row">
            <SaveActions saver={saver} valid={valid} />
          </div>
          <p className="hint">
            <Link href={`/signin?next=${encodeURIComponent("/")}`}>Sign in</Link> or <Link href="/register">create an account</Link> to
            save designs.
          </p>
        </>
      )}
      <div aria-live="polite">
        {saver.notice ? <p className="notice">{saver.notice}</p> : null}
        {saver.error ? <p className="alert">{saver.error}</p> : null}
      </div>
    </section>
  );
}
