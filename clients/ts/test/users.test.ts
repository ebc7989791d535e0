// Accounts through the TS client: register, sign in, refresh, sign out, and
// designs that belong to their owner.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { Code, Role, createHarnessClient } from "@harnesshero/client/all";

import { PASSWORD, RUN, basicDesign, connect, expectCode, fieldsOf, expectViolations, harnessUrl, signUp } from "./support.js";

const anonymous = () => createHarnessClient({ baseUrl: harnessUrl() });

describe("accounts", () => {
  it("registers, reads the profile with the bearer token, and signs in", async () => {
    const me = await signUp("profile");
    const harness = createHarnessClient({ baseUrl: harnessUrl(), token: me.token });
    const { user } = await harness.users.getProfile({});
    assert.equal(user?.email, me.email);
    assert.equal(user?.role, Role.USER);
    assert.equal(user?.id, me.userId);

    const signedIn = await anonymous().users.signIn({ email: me.email, password: PASSWORD });
    assert.ok(signedIn.session?.accessToken);
    assert.equal(signedIn.session?.tokenType, "Bearer");
  });

  it("answers a wrong password and an unknown email alike", async () => {
    const me = await signUp("wrong");
    const wrong = await expectCode(anonymous().users.signIn({ email: me.email, password: "not the password" }), Code.Unauthenticated);
    const unknown = await expectCode(
      anonymous().users.signIn({ email: `${RUN}-nobody@example.com`, password: "not the password" }),
      Code.Unauthenticated,
    );
    assert.equal(wrong.rawMessage, unknown.rawMessage);
  });

  it("refuses a short password and a bad email, naming the fields", async () => {
    const violations = await expectViolations(
      anonymous().users.register({ email: "not-an-email", password: "short", displayName: "x" }),
    );
    assert.deepEqual(fieldsOf(violations), ["email", "password"]);
  });

  it("rotates refresh tokens: a used one stops working", async () => {
    const me = await signUp("refresh");
    const users = anonymous().users;
    const first = await users.refreshSession({ refreshToken: me.refreshToken });
    assert.ok(first.session?.refreshToken);
    assert.notEqual(first.session?.refreshToken, me.refreshToken);
    await expectCode(users.refreshSession({ refreshToken: me.refreshToken }), Code.Unauthenticated);
  });

  it("requires sign-in for designs, and keeps them to their owner", async () => {
    await expectCode(anonymous().designs.listDesigns({}), Code.Unauthenticated);
    const alice = createHarnessClient({ baseUrl: harnessUrl(), token: (await signUp("alice")).token });
    const bob = createHarnessClient({ baseUrl: harnessUrl(), token: (await signUp("bob")).token });
    const { design } = await alice.designs.createDesign({ name: `${RUN} alice`, design: basicDesign() });
    assert.ok(design);
    await expectCode(bob.designs.getDesign({ id: design.id }), Code.NotFound);
    await expectCode(bob.designs.deleteDesign({ id: design.id }), Code.NotFound);
    const bobs = await bob.designs.listDesigns({});
    assert.ok(!bobs.designs.some((d) => d.id === design.id));
    const still = await alice.designs.getDesign({ id: design.id });
    assert.equal(still.design?.version, 1n);
    // The catalog stays public.
    const catalog = await connect({ token: "" }).catalog.getCatalog({});
    assert.equal(catalog.catalog?.styles.length, 4);
  });
});

describe("analytics", () => {
  it("is for admins only", async () => {
    const me = await signUp("not-admin");
    const harness = createHarnessClient({ baseUrl: harnessUrl(), token: me.token });
    const today = new Date().toISOString().slice(0, 10);
    await expectCode(
      harness.analytics.getDailyStats({ range: { startDate: today, endDate: today } }),
      Code.PermissionDenied,
    );
    await expectCode(anonymous().analytics.getEventStats({}), Code.Unauthenticated);
  });
});
