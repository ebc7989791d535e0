// createTransport: GET for the RPCs the contracts mark side-effect free,
// POST for the others; and the package's entry points, as an app imports
// them (through the exports map of package.json).

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import * as core from "@harnesshero/client";
import { createTransport, fromJson, toJson } from "@harnesshero/client";
import * as all from "@harnesshero/client/all";
import { CatalogService, QuoteResponseSchema, createCatalogClient } from "@harnesshero/client/catalog";
import { createDesignsClient } from "@harnesshero/client/designs";
import { protoCamelCase } from "@bufbuild/protobuf/reflect";

import { RUN, basicDesign, harnessUrl, recordingFetch, signUp } from "./support.js";

describe("createTransport", () => {
  const baseUrl = harnessUrl();

  test("sends side-effect-free RPCs as GET, the others as POST", async () => {
    const rec = recordingFetch();
    const transport = createTransport({ baseUrl, fetch: rec.fetch, token: (await signUp("get")).token });
    const catalog = createCatalogClient(transport);
    const designs = createDesignsClient(transport);
    const { quote } = await catalog.quote({ design: basicDesign(), quantity: 1 });
    assert.equal(quote?.unitPriceCents, 3400);
    await catalog.getCatalog({});
    const { design } = await designs.createDesign({ name: `${RUN} get`, design: basicDesign() });
    const got = await designs.getDesign({ id: design?.id ?? "" });
    assert.equal(got.design?.name, `${RUN} get`);
    assert.deepEqual(
      rec.sent.map((s) => [s.rpc, s.method, s.authorization !== null]),
      [
        ["Quote", "GET", true],
        ["GetCatalog", "GET", true],
        ["CreateDesign", "POST", true],
        ["GetDesign", "GET", true],
      ],
    );
  });

  test("GET works in the binary format too, and POST when asked", async () => {
    const bin = recordingFetch();
    const quote = await createCatalogClient(createTransport({ baseUrl, fetch: bin.fetch, useBinaryFormat: true })).quote({
      design: basicDesign(),
      quantity: 3,
    });
    assert.equal(quote.quote?.totalCents, 3 * 3400 - quote.quote!.discountCents);
    assert.deepEqual(bin.sent.map((s) => s.method), ["GET"]);

    const post = recordingFetch();
    await createCatalogClient(createTransport({ baseUrl, fetch: post.fetch, useHttpGet: false })).quote({ design: basicDesign(), quantity: 1 });
    assert.deepEqual(post.sent.map((s) => s.method), ["POST"]);
  });

  test("a response survives JSON, e.g. from a Server Component to a Client Component", async () => {
    const res = await createCatalogClient(createTransport({ baseUrl })).quote({ design: basicDesign(), quantity: 1 });
    const json = JSON.parse(JSON.stringify(toJson(QuoteResponseSchema, res)));
    assert.deepEqual(fromJson(QuoteResponseSchema, json), res);
  });

  test("an anonymous GET sends no header: the browser needs no CORS preflight", async () => {
    const rec = recordingFetch();
    await createCatalogClient(createTransport({ baseUrl, fetch: rec.fetch })).getCatalog({});
    assert.deepEqual(rec.sent.map((s) => [s.method, s.headers]), [["GET", []]]);
  });

  test("CORS: the server allows what the README's guide says", async () => {
    const origin = (process.env.HARNESS_CORS_ORIGINS ?? "http://localhost:3000").split(",")[0]!.trim();
    const url = `${baseUrl}/harness.builder.v1.DesignService/CreateDesign`;
    const preflight = await fetch(url, {
      method: "OPTIONS",
      headers: {
        Origin: origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,connect-protocol-version,connect-timeout-ms,content-type",
      },
    });
    assert.ok(preflight.status === 200 || preflight.status === 204, `preflight answered ${preflight.status}`);
    assert.equal(preflight.headers.get("Access-Control-Allow-Origin"), origin);
    const allowed = (preflight.headers.get("Access-Control-Allow-Headers") ?? "").toLowerCase();
    for (const h of ["authorization", "connect-protocol-version", "connect-timeout-ms", "content-type"]) {
      assert.ok(allowed.includes(h), `${h} is not allowed: ${allowed}`);
    }
    const get = await fetch(`${baseUrl}/harness.builder.v1.CatalogService/GetCatalog?connect=v1&encoding=json&message=%7B%7D`, {
      headers: { Origin: origin },
    });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get("Access-Control-Allow-Origin"), origin);
    const other = await fetch(url, { method: "OPTIONS", headers: { Origin: "https://elsewhere.example", "Access-Control-Request-Method": "POST" } });
    assert.equal(other.headers.get("Access-Control-Allow-Origin"), null);
  });

  test("refuses both token and getToken", () => {
    assert.throws(() => createTransport({ baseUrl, token: "a", getToken: () => "b" }), TypeError);
  });
});

describe("entry points", () => {
  test("the core exports what an app needs", () => {
    for (const name of [
      "createTransport", "createAuthInterceptor", "memoryTokenStore", "webStorageTokenStore", "tokensFromSession",
      "violationsOf", "fieldErrors", "ConnectError", "Code", "createClient",
      "create", "fromJson", "toJson", "fromBinary", "toBinary", "clone", "equals", "isMessage", "timestampDate",
    ]) {
      assert.equal(typeof (core as Record<string, unknown>)[name], name === "Code" ? "object" : "function", name);
    }
    // No contract in the core: those are in the subpaths.
    assert.equal("CatalogService" in core, false);
    assert.equal("validate" in core, false);
  });

  test("each service's subpath has its client factory, service and messages", async () => {
    const expected: Record<string, string[]> = {
      catalog: ["createCatalogClient", "CatalogService", "QuoteRequestSchema", "DesignSchema", "Style"],
      designs: ["createDesignsClient", "DesignService", "SavedDesignSchema", "DesignSchema", "Color"],
      users: ["createUsersClient", "UserService", "SessionSchema", "Role"],
      orders: ["createOrdersClient", "OrderService", "OrderSchema", "OrderStatus"],
      analytics: ["createAnalyticsClient", "AnalyticsService", "GetDailyStatsRequestSchema"],
      events: ["EnvelopeSchema"],
      validation: ["validate", "validateDesign", "violationsOf", "fieldErrors", "ViolationsSchema", "bufValidate"],
      all: ["createHarnessClient", "createTransport", "CatalogService", "OrderService", "validate"],
    };
    for (const [sub, names] of Object.entries(expected)) {
      const mod = (await import(`@harnesshero/client/${sub}`)) as Record<string, unknown>;
      for (const name of names) {
        assert.ok(mod[name] !== undefined, `@harnesshero/client/${sub} exports no ${name}`);
      }
    }
    assert.equal(CatalogService.typeName, "harness.builder.v1.CatalogService");
  });

  test("violation paths name the TypeScript properties of every contract message", () => {
    // violationsOf turns the server's proto names into protoCamelCase; that
    // is the generated property name (localName) of every field we have.
    let fields = 0;
    for (const value of Object.values(all)) {
      const v = value as { kind?: string; fields?: { name: string; localName: string }[] };
      if (v?.kind === "message" && v.fields) {
        for (const f of v.fields) {
          fields++;
          assert.equal(f.localName, protoCamelCase(f.name), `${f.name}`);
        }
      }
    }
    assert.ok(fields > 100, `only ${fields} fields seen`);
  });
});
