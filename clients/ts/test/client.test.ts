// createHarnessClient: the bearer token on every request, the custom fetch,
// both wire formats.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Code, ConnectError, createHarnessClient, violationsOf } from "@harnesshero/client/all";

import { basicDesign, brokenDesign, connect, fieldsOf, harnessUrl, signUp } from "./support.js";

/** A fetch that records the Authorization header of each request, then sends it. */
function recordingFetch(): { fetch: typeof globalThis.fetch; authorizations: (string | null)[] } {
  const authorizations: (string | null)[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    authorizations.push(new Headers(init?.headers).get("Authorization"));
    return globalThis.fetch(input, init);
  };
  return { fetch, authorizations };
}

describe("createHarnessClient", () => {
  const baseUrl = harnessUrl();

  test("sends no Authorization header without a token", async () => {
    const rec = recordingFetch();
    const harness = createHarnessClient({ baseUrl, fetch: rec.fetch });
    await harness.catalog.getCatalog({});
    assert.deepEqual(rec.authorizations, [null]);
  });

  test("sends a fixed token on every request of every service", async () => {
    const rec = recordingFetch();
    const { token } = await signUp("fixed-token");
    const harness = createHarnessClient({ baseUrl, fetch: rec.fetch, token });
    await harness.catalog.getCatalog({});
    await harness.designs.listDesigns({ pageSize: 1 });
    await harness.users.getProfile({});
    assert.deepEqual(rec.authorizations, [`Bearer ${token}`, `Bearer ${token}`, `Bearer ${token}`]);
  });

  test("asks getToken before each request, sync or async", async () => {
    const rec = recordingFetch();
    const first = (await signUp("first")).token;
    const third = (await signUp("third")).token;
    const tokens = [first, undefined, third];
    let calls = 0;
    const harness = createHarnessClient({
      baseUrl,
      fetch: rec.fetch,
      getToken: async () => tokens[calls++],
    });
    await harness.catalog.getCatalog({});
    await harness.catalog.getCatalog({});
    await harness.catalog.getCatalog({});
    assert.equal(calls, 3);
    assert.deepEqual(rec.authorizations, [`Bearer ${first}`, null, `Bearer ${third}`]);

    const rec2 = recordingFetch();
    const sync = createHarnessClient({ baseUrl, fetch: rec2.fetch, getToken: () => first });
    await sync.catalog.getCatalog({});
    assert.deepEqual(rec2.authorizations, [`Bearer ${first}`]);

    // A token the server cannot verify grants nothing: public RPCs answer
    // as to anyone, the others refuse.
    const forged = createHarnessClient({ baseUrl, token: "abc.def" });
    await forged.catalog.getCatalog({});
    await assert.rejects(forged.designs.listDesigns({}), (err: unknown) => err instanceof ConnectError && err.code === Code.Unauthenticated);
  });

  test("refuses both token and getToken", () => {
    assert.throws(() => createHarnessClient({ baseUrl, token: "a", getToken: () => "b" }), TypeError);
  });

  test("speaks the binary format too, violations included", async () => {
    const harness = connect({ useBinaryFormat: true });
    const { quote } = await harness.catalog.quote({ design: basicDesign(), quantity: 1 });
    assert.equal(quote?.unitPriceCents, 3400);
    try {
      await harness.catalog.quote({ design: brokenDesign(), quantity: 1 });
      assert.fail("the broken design was accepted");
    } catch (err) {
      assert.ok(err instanceof ConnectError);
      assert.equal(err.code, Code.InvalidArgument);
      assert.deepEqual(fieldsOf(violationsOf(err)), [
        "design.backHandle",
        "design.hardware",
        "design.size",
        "design.style",
        "design.webbingColor",
      ]);
    }
  });

  test("violationsOf is empty for other errors", () => {
    assert.deepEqual(violationsOf(new Error("boom")), []);
    assert.deepEqual(violationsOf(new ConnectError("gone", Code.NotFound)), []);
    assert.deepEqual(violationsOf(undefined), []);
  });
});
