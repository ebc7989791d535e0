"use client";

// Register and sign in: the contract's rules checked in the page, the
// server's answer mapped to the same fields, the session stored on success
// and the guest's cart taken into the user's. On its own page (AuthForm) or
// inside another step (AuthPanel: the cart's checkout).

import { useState, type FormEvent, type ReactNode } from "react";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useQueryClient } from "@tanstack/react-query";

import { errorsByField, type FieldErrors } from "@/lib/design";
import {
  Code,
  ConnectError,
  RegisterRequestSchema,
  SignInRequestSchema,
  UserService,
  violationsOf,
} from "@/lib/harness";
import { validate } from "@harnesshero/client/validation";
import { adoptGuestCart } from "@/lib/cart-store";
import { setSession } from "@/lib/session";
import { storedSession } from "@/lib/transport";
import { FieldError, invalidProps } from "./field";
import { useClient } from "./hooks";

/** Only same-site paths are followed after signing in. */
function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function AuthForm({ mode }: { mode: "register" | "signin" }) {
  const router = useRouter();
  const params = useSearchParams();
  const next = params.get("next");
  const query = next ? `?next=${encodeURIComponent(next)}` : "";
  return (
    <AuthPanel
      mode={mode}
      className="card card-form"
      onSignedIn={() => router.push(safeNext(next))}
      other={
        mode === "register" ? (
          <Link href={`/signin${query}`}>I have an account</Link>
        ) : (
          <Link href={`/register${query}`}>Create an account</Link>
        )
      }
    />
  );
}

/**
 * The form itself: `other` is the way to the other mode, `onSignedIn` runs
 * once the session is stored. `headingLevel` 2 when the form is a part of a page.
 */
export function AuthPanel({
  mode,
  other,
  onSignedIn,
  className,
  headingLevel = 1,
  intro,
}: {
  mode: "register" | "signin";
  other: ReactNode;
  onSignedIn: () => void;
  className?: string;
  headingLevel?: 1 | 2;
  intro?: ReactNode;
}) {
  const queryClient = useQueryClient();
  const users = useClient(UserService);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState("");
  const [busy, setBusy] = useState(false);
  const [attempted, setAttempted] = useState(false);
  const register = mode === "register";

  function check(values: { email: string; password: string; displayName: string }) {
    return register ? validate(RegisterRequestSchema, values) : validate(SignInRequestSchema, { email: values.email, password: values.password });
  }

  // After a first try, the messages follow the typing.
  function edit(values: { email: string; password: string; displayName: string }) {
    setEmail(values.email);
    setPassword(values.password);
    setDisplayName(values.displayName);
    if (attempted) setErrors(errorsByField(check(values).violations));
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFormError("");
    setAttempted(true);
    const local = check({ email, password, displayName });
    setErrors(errorsByField(local.violations));
    if (!local.valid) return;
    setBusy(true);
    try {
      const res = register
        ? await users.register({ email, password, displayName })
        : await users.signIn({ email, password });
      // The session's tokens are in httpOnly cookies now (set by /api/rpc);
      // the page keeps who signed in.
      const session = storedSession(res.user);
      // The cart made before signing in is the user's now.
      adoptGuestCart(session.user.id);
      setSession(session);
      queryClient.clear();
      onSignedIn();
    } catch (err) {
      const v = violationsOf(err);
      if (v.length > 0) {
        setErrors(errorsByField(v));
      } else if (err instanceof ConnectError && err.code === Code.AlreadyExists) {
        setErrors({ email: "An account with this email already exists. Sign in instead." });
      } else if (err instanceof ConnectError && err.code === Code.Unauthenticated) {
        setFormError("The email or password is not right.");
      } else if (err instanceof ConnectError && err.code === Code.ResourceExhausted) {
        setFormError("Too many attempts. Wait a minute and try again.");
      } else {
        setFormError(err instanceof ConnectError ? err.rawMessage : "Something went wrong. Try again.");
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className={className} onSubmit={submit} noValidate aria-labelledby="auth-heading">
      {headingLevel === 1 ? (
        <h1 id="auth-heading">{register ? "Create your account" : "Sign in"}</h1>
      ) : (
        <h2 id="auth-heading">{register ? "Create your account" : "Sign in"}</h2>
      )}
      {intro}
      {register ? (
        <div className="field">
          <label htmlFor="displayName">Your name</label>
          <input
            id="displayName"
            type="text"
            autoComplete="name"
            value={displayName}
            onChange={(e) => edit({ email, password, displayName: e.target.value })}
            {...invalidProps("displayName", errors)}
          />
          <FieldError name="displayName" errors={errors} />
        </div>
      ) : null}
      <div className="field">
        <label htmlFor="email">Email</label>
        <input
          id="email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => edit({ email: e.target.value, password, displayName })}
          {...invalidProps("email", errors)}
        />
        <FieldError name="email" errors={errors} />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input
          id="password"
          type="password"
          autoComplete={register ? "new-password" : "current-password"}
          value={password}
          onChange={(e) => edit({ email, password: e.target.value, displayName })}
          {...invalidProps("password", errors, register ? "passwordHint" : undefined)}
        />
        {register ? (
          <p className="hint" id="passwordHint">
            At least 12 characters.
          </p>
        ) : null}
        <FieldError name="password" errors={errors} />
      </div>
      <div aria-live="assertive">{formError ? <p className="alert">{formError}</p> : null}</div>
      <div className="row">
        <button type="submit" disabled={busy}>
          {register ? "Create account" : "Sign in"}
        </button>
        {other}
      </div>
    </form>
  );
}
