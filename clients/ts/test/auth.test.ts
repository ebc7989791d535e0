// createAuthInterceptor against a live server: an expired access token is
// refreshed once and the call retried; concurrent failures share one
// refresh; a refused refresh token ends the session without a loop.
//
// Expired tokens are real ones: the claims of a token the server issued,
// re-signed with the server's own key (under HARNESS_TEST_DATA_DIR, set by
// scripts/with-server.sh) with times 20 minutes in the past.

import assert from "node:assert/strict";
import { createPrivateKey, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";

import {
  Code,
  ConnectError,
  createAuthInterceptor,
  createTransport,
  memoryTokenStore,
  tokensFromSession,
  webStorageTokenStore,
  type SessionTokens,
  type StorageLike,
  type TokenStore,
} from "@harnesshero/client";
import { createDesignsClient } from "@harnesshero/client/designs";
import { createUsersClient } from "@harnesshero/client/users";
import { createAnalyticsClient } from "@harnesshero/client/analytics";

import { PASSWORD, RUN, basicDesign, expectCode, harnessUrl, recordingFetch, signUp } from "./support.js";

const baseUrl = harnessUrl();

/** The server's signing key; with-server.sh keeps it under the data directory. */
function serverKey() {
  const dir = process.env.HARNESS_TEST_DATA_DIR;
  assert.ok(dir, "HARNESS_TEST_DATA_DIR is set by scripts/with-server.sh (the server's key signs the expired tokens)");
  return createPrivateKey(readFileSync(path.join(dir, "keys", "access-token-ed25519.pem")));
}

/**
 * An expired copy of token: same header and claims, issued 20 minutes ago,
 * expired 5 minutes ago (past the server's 30 s leeway), signed by the
 * server's key, so the server refuses it only for being expired.
 */
function expired(token: string): string {
  return resigned(token, -1200, -300);
}

/** token with its times moved: issued at now+iat, expiring at now+exp (seconds), re-signed. */
function resigned(token: string, iat: number, exp: number): string {
  const [header, payload] = token.split(".");
  assert.ok(header && payload, "not a JWT");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  Object.assign(claims, { iat: now + iat, nbf: now + iat - 30, exp: now + exp });
  const body = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  return `${body}.${sign(null, Buffer.from(body), serverKey()).toString("base64url")}`;
}

/** A signed-in account whose stored access token has expired (expiry unknown to the client). */
async function expiredSession(label: string): Promise<{ store: TokenStore; tokens: SessionTokens }> {
  const me = await signUp(label);
  const tokens = { accessToken: expired(me.token), refreshToken: me.refreshToken };
  return { store: memoryTokenStore(tokens), tokens };
}

function clients(store: TokenStore, onSessionEnd?: () => void) {
  const rec = recordingFetch();
  const transport = createTransport({
    baseUrl,
    fetch: rec.fetch,
    interceptors: [createAuthInterceptor({ baseUrl, tokens: store, fetch: rec.fetch, ...(onSessionEnd ? { onSessionEnd } : {}) })],
  });
  return { rec, designs: createDesignsClient(transport), analytics: createAnalyticsClient(transport) };
}

describe("createAuthInterceptor", () => {
  test("the expired token is refused only for its times (the premise)", async () => {
    const me = await signUp("premise");
    const designs = (token: string) => createDesignsClient(createTransport({ baseUrl, token }));
    // Re-signed with times that are still good, the token works: the signing is right...
    await designs(resigned(me.token, -60, 600)).listDesigns({});
    // ...so the refusal of the expired one is its expiry.
    await expectCode(designs(expired(me.token)).listDesigns({}), Code.Unauthenticated);
  });

  test("refreshes once on Unauthenticated, stores the new tokens and retries", async () => {
    const { store, tokens } = await expiredSession("refresh");
    const { rec, designs } = clients(store);
    const res = await designs.listDesigns({});
    assert.deepEqual(res.designs, []);
    assert.deepEqual(rec.rpcs(), ["ListDesigns", "RefreshSession", "ListDesigns"]);
    const now = await store.get();
    assert.ok(now);
    assert.notEqual(now.accessToken, tokens.accessToken);
    assert.notEqual(now.refreshToken, tokens.refreshToken);
    assert.ok(now.accessTokenExpiresAt !== undefined && now.accessTokenExpiresAt > Date.now());
    assert.equal(rec.sent[0]?.authorization, `Bearer ${tokens.accessToken}`);
    assert.equal(rec.sent[2]?.authorization, `Bearer ${now.accessToken}`);
    // The refreshed session goes on without another refresh.
    await designs.listDesigns({});
    assert.deepEqual(rec.rpcs().slice(3), ["ListDesigns"]);
  });

  test("retries a POST with its body, once", async () => {
    const { store } = await expiredSession("post");
    const { rec, designs } = clients(store);
    const name = `${RUN} after refresh`;
    const { design } = await designs.createDesign({ name, design: basicDesign() });
    assert.equal(design?.name, name);
    assert.deepEqual(rec.sent.map((s) => [s.rpc, s.method]), [["CreateDesign", "POST"], ["RefreshSession", "POST"], ["CreateDesign", "POST"]]);
    const { designs: saved } = await designs.listDesigns({});
    assert.deepEqual(saved.map((d) => d.name), [name]);
  });

  test("refreshes before the call when the token is known to be expired", async () => {
    const { tokens } = await expiredSession("known");
    const store = memoryTokenStore({ ...tokens, accessTokenExpiresAt: Date.now() - 1000 });
    const { rec, designs } = clients(store);
    await designs.listDesigns({});
    assert.deepEqual(rec.rpcs(), ["RefreshSession", "ListDesigns"]);
  });

  test("concurrent failures share one refresh", async () => {
    const { store } = await expiredSession("concurrent");
    const { rec, designs } = clients(store);
    const results = await Promise.all(Array.from({ length: 5 }, () => designs.listDesigns({})));
    assert.equal(results.length, 5);
    assert.equal(rec.rpcs().filter((r) => r === "RefreshSession").length, 1);
    assert.equal(rec.rpcs().filter((r) => r === "ListDesigns").length, 10);
  });

  test("a refused refresh token ends the session: cleared, reported once, no loop", async () => {
    const { store, tokens } = await expiredSession("revoked");
    // Use the refresh token once, outside the store: presenting it again is
    // reuse, which ends the whole session.
    const users = createUsersClient(createTransport({ baseUrl }));
    const rotated = await users.refreshSession({ refreshToken: tokens.refreshToken });
    let ended = 0;
    const { rec, designs } = clients(store, () => ended++);

    const err = await expectCode(designs.listDesigns({}), Code.Unauthenticated);
    assert.ok(err instanceof ConnectError);
    assert.deepEqual(rec.rpcs(), ["ListDesigns", "RefreshSession"]);
    assert.equal(await store.get(), undefined);
    assert.equal(ended, 1);
    // The session is over for the rotated tokens too.
    await expectCode(users.refreshSession({ refreshToken: rotated.session?.refreshToken ?? "" }), Code.Unauthenticated);

    // Signed out now: the next call goes without a token and is not retried.
    await expectCode(designs.listDesigns({}), Code.Unauthenticated);
    assert.deepEqual(rec.rpcs().slice(2), ["ListDesigns"]);
    assert.equal(rec.sent[2]?.authorization, null);
    assert.equal(ended, 1);
  });

  test("does not refresh for other errors, nor without a session", async () => {
    const me = await signUp("other-error");
    const session = (await createUsersClient(createTransport({ baseUrl })).signIn({ email: me.email, password: PASSWORD })).session;
    const { rec, analytics, designs } = clients(memoryTokenStore(tokensFromSession(session)));
    const today = new Date().toISOString().slice(0, 10);
    await expectCode(analytics.getDailyStats({ range: { startDate: today, endDate: today } }), Code.PermissionDenied);
    assert.deepEqual(rec.rpcs(), ["GetDailyStats"]);

    const anonymous = clients(memoryTokenStore());
    await expectCode(anonymous.designs.listDesigns({}), Code.Unauthenticated);
    assert.deepEqual(anonymous.rec.sent.map((s) => [s.rpc, s.authorization]), [["ListDesigns", null]]);
    await designs.listDesigns({});
  });

  test("a custom refresh replaces RefreshSession (e.g. the app's own route handler)", async () => {
    const { store, tokens } = await expiredSession("custom");
    const users = createUsersClient(createTransport({ baseUrl }));
    const seen: string[] = [];
    const transport = createTransport({
      baseUrl,
      interceptors: [
        createAuthInterceptor({
          tokens: store,
          refresh: async (refreshToken) => {
            seen.push(refreshToken);
            return tokensFromSession((await users.refreshSession({ refreshToken })).session);
          },
        }),
      ],
    });
    await createDesignsClient(transport).listDesigns({});
    assert.deepEqual(seen, [tokens.refreshToken]);
  });

  test("tokensFromSession reads the expiry of the access token", async () => {
    const me = await signUp("expiry");
    const { session } = await createUsersClient(createTransport({ baseUrl })).signIn({ email: me.email, password: PASSWORD });
    const t = tokensFromSession(session);
    assert.ok(t?.accessTokenExpiresAt);
    const minutes = (t.accessTokenExpiresAt - Date.now()) / 60_000;
    assert.ok(minutes > 14 && minutes <= 15, `expires in ${minutes} minutes`);
    assert.equal(tokensFromSession(undefined), undefined);
  });
});

describe("webStorageTokenStore", () => {
  /** The Web Storage API over a Map, as in a browser. */
  function storage(): StorageLike & { map: Map<string, string> } {
    const map = new Map<string, string>();
    return {
      map,
      getItem: (k) => map.get(k) ?? null,
      setItem: (k, v) => void map.set(k, v),
      removeItem: (k) => void map.delete(k),
    };
  }

  test("keeps the tokens as JSON under its key, and forgets them", () => {
    const s = storage();
    const store = webStorageTokenStore(s, "k");
    const tokens = { accessToken: "a", refreshToken: "r", accessTokenExpiresAt: 42 };
    store.set(tokens);
    assert.deepEqual(JSON.parse(s.map.get("k") ?? ""), tokens);
    assert.deepEqual(store.get(), tokens);
    store.set(undefined);
    assert.equal(s.map.has("k"), false);
    assert.equal(store.get(), undefined);
  });

  test("reads anything unreadable as signed out", () => {
    const s = storage();
    const store = webStorageTokenStore(s);
    for (const junk of ["not json", "null", "{}", '{"accessToken":1,"refreshToken":"r"}']) {
      s.map.set("harnesshero.session", junk);
      assert.equal(store.get(), undefined, junk);
    }
  });
});
