import assert from "node:assert/strict";
import { test } from "node:test";

import { createRotation, tokenExpiry, type Tokens } from "../lib/rotation";

/** A fake RefreshSession that rotates like the API: a spent token revokes the session. */
function fakeApi() {
  const spent = new Set<string>();
  let n = 0;
  let revoked = false;
  const calls: string[] = [];
  const refresh = async (rt: string): Promise<Tokens | undefined> => {
    calls.push(rt);
    await new Promise((r) => setTimeout(r, 5));
    if (revoked || spent.has(rt)) {
      revoked = true; // "refresh token reused: session revoked"
      return undefined;
    }
    spent.add(rt);
    n++;
    return { accessToken: `a${n}`, refreshToken: `r${n}` };
  };
  return { refresh, calls, revoked: () => revoked };
}

test("parallel requests with the same refresh token refresh once and share the tokens", async () => {
  const api = fakeApi();
  const rotate = createRotation(api.refresh);
  const got = await Promise.all(Array.from({ length: 10 }, () => rotate("r0")));
  assert.deepEqual(api.calls, ["r0"]);
  assert.equal(got.filter((g) => g.refreshed).length, 1);
  for (const g of got) assert.deepEqual(g.tokens, { accessToken: "a1", refreshToken: "r1" });
  assert.equal(api.revoked(), false);
});

test("a request still carrying a spent refresh token takes what its refresh got, following later ones", async () => {
  const api = fakeApi();
  const rotate = createRotation(api.refresh);
  await rotate("r0");
  await rotate("r1");
  const late = await rotate("r0");
  assert.deepEqual(late, { tokens: { accessToken: "a2", refreshToken: "r2" }, refreshed: false });
  assert.deepEqual(api.calls, ["r0", "r1"], "no spent token presented again");
  assert.equal(api.revoked(), false);
});

test("the record of a spent token is forgotten after a minute; a refused token ends the session", async () => {
  const api = fakeApi();
  let now = 1_000_000;
  const rotate = createRotation(api.refresh, () => now);
  await rotate("r0");
  now += 61_000;
  const again = await rotate("r0");
  assert.equal(again.tokens, undefined, "presented again: the API revokes it");
  assert.equal(api.revoked(), true);
});

test("a failed refresh is not shared with later requests", async () => {
  let fail = true;
  const rotate = createRotation(async () => {
    if (fail) throw new Error("unavailable");
    return { accessToken: "a", refreshToken: "r" };
  });
  await assert.rejects(rotate("r0"));
  fail = false;
  assert.deepEqual((await rotate("r0")).tokens, { accessToken: "a", refreshToken: "r" });
});

test("tokenExpiry reads the exp claim", () => {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  assert.equal(tokenExpiry(`${b64({ alg: "EdDSA" })}.${b64({ exp: 1700000000 })}.sig`), 1700000000_000);
  assert.equal(tokenExpiry("garbage"), undefined);
});
