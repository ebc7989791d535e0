// Shared helpers of the live tests. Not a test file itself: node --test runs
// only *.test.js.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

import {
  Code,
  Color,
  ConnectError,
  Hardware,
  Material,
  Size,
  Style,
  createHarnessClient,
  violationsOf,
  type Design,
  type DesignSchema,
  type FieldViolation,
  type HarnessClient,
  type HarnessClientOptions,
} from "@harnesshero/client/all";
import type { MessageInitShape } from "@bufbuild/protobuf";

/** A design as a plain object, without $typeName. */
export type DesignInit = Exclude<MessageInitShape<typeof DesignSchema>, Design>;

/**
 * The base URL of the server under test. Throws a clear error when
 * HARNESS_URL is unset: these tests need a live server.
 */
export function harnessUrl(): string {
  const url = process.env.HARNESS_URL;
  if (url === undefined || url === "") {
    throw new Error(
      "HARNESS_URL is not set: these tests run against a live Harness Hero server. " +
        "Run `make test-ts` from the repository root (it starts one), or start one and run " +
        "`HARNESS_URL=http://127.0.0.1:4000 npm test` in clients/ts.",
    );
  }
  return url;
}

/** The password of every account the tests register. */
export const PASSWORD = "correct horse battery staple";

/** Registers a new account and returns its session's access token. */
export async function signUp(label = "user"): Promise<{ email: string; token: string; refreshToken: string; userId: string }> {
  const anonymous = createHarnessClient({ baseUrl: harnessUrl() });
  const email = `${RUN}-${label}-${randomUUID().slice(0, 8)}@example.com`;
  const res = await anonymous.users.register({ email, password: PASSWORD, displayName: `TS ${label}` });
  assert.ok(res.session?.accessToken, "register returned no access token");
  return {
    email,
    token: res.session.accessToken,
    refreshToken: res.session.refreshToken,
    userId: res.user?.id ?? "",
  };
}

let defaultToken: Promise<string> | undefined;

/**
 * A client of the server under test, signed in as one account registered
 * for this test run (or as HARNESS_TOKEN when that is set).
 */
export function connect(options: Partial<HarnessClientOptions> = {}): HarnessClient {
  const fixed = process.env.HARNESS_TOKEN;
  const getToken = async () => {
    if (fixed) return fixed;
    defaultToken ??= signUp("default").then((s) => s.token);
    return defaultToken;
  };
  return createHarnessClient({
    baseUrl: harnessUrl(),
    ...(options.token === undefined && options.getToken === undefined ? { getToken } : {}),
    ...options,
  });
}

/** A prefix unique to this test run, so tests never depend on an empty database. */
export const RUN = `ts-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;

/** The cheapest valid design: STEP_IN M NYLON PLASTIC RED, 3400 cents. */
export function basicDesign(overrides: Partial<DesignInit> = {}): DesignInit {
  return {
    style: Style.STEP_IN,
    size: Size.M,
    material: Material.NYLON,
    hardware: Hardware.PLASTIC,
    webbingColor: Color.RED,
    ...overrides,
  };
}

/**
 * The fully loaded design of the spec's worked example:
 * NO_PULL L LEATHER STAINLESS BLACK, reflective trim, back handle,
 * name patch "Biscuit Jr" (10 characters), leash 1800, ID tag.
 */
export function loadedDesign(): DesignInit {
  return {
    style: Style.NO_PULL,
    size: Size.L,
    material: Material.LEATHER,
    hardware: Hardware.STAINLESS,
    webbingColor: Color.BLACK,
    reflectiveTrim: true,
    backHandle: true,
    namePatch: { text: "Biscuit Jr", threadColor: Color.YELLOW },
    leash: { lengthMm: 1800 },
    idTag: { engraving: "Call 555 0100" },
  };
}

/**
 * The design that breaks five rules at once: LEATHER + PLASTIC (rule 1),
 * XS (rule 2), VEST (rule 3), RED webbing (rule 4), back handle in XS (rule 5).
 */
export function brokenDesign(): DesignInit {
  return {
    style: Style.VEST,
    size: Size.XS,
    material: Material.LEATHER,
    hardware: Hardware.PLASTIC,
    webbingColor: Color.RED,
    backHandle: true,
  };
}

/** Awaits p, which must fail with a ConnectError of the given code, and returns it. */
export async function expectCode(p: Promise<unknown>, code: Code): Promise<ConnectError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ConnectError, `expected a ConnectError, got ${String(err)}`);
    assert.equal(
      err.code,
      code,
      `expected code ${Code[code]}, got ${Code[err.code]}: ${err.rawMessage}`,
    );
    return err;
  }
  assert.fail(`expected the call to fail with ${Code[code]}, but it succeeded`);
}

/** Awaits p, which must fail with InvalidArgument, and returns its violations. */
export async function expectViolations(p: Promise<unknown>): Promise<FieldViolation[]> {
  const err = await expectCode(p, Code.InvalidArgument);
  const violations = violationsOf(err);
  assert.ok(violations.length > 0, `InvalidArgument without violations: ${err.rawMessage}`);
  return violations;
}

/** The sorted distinct paths of violations. */
export function fieldsOf(violations: FieldViolation[]): string[] {
  return [...new Set(violations.map((v) => v.path))].sort();
}

/** One request a {@link recordingFetch} sent. */
export interface Sent {
  /** HTTP method: GET or POST. */
  method: string;
  /** The RPC's method name, e.g. "ListDesigns". */
  rpc: string;
  /** The Authorization header, or null. */
  authorization: string | null;
  /** The names of every header sent. */
  headers: string[];
}

/** A fetch that records each request (method, RPC, Authorization), then sends it. */
export function recordingFetch(): { fetch: typeof globalThis.fetch; sent: Sent[]; rpcs: () => string[] } {
  const sent: Sent[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    sent.push({
      method: init?.method ?? (input instanceof Request ? input.method : "GET"),
      rpc: url.pathname.slice(url.pathname.lastIndexOf("/") + 1),
      authorization: new Headers(init?.headers).get("Authorization"),
      headers: [...new Headers(init?.headers).keys()],
    });
    return globalThis.fetch(input, init);
  };
  return { fetch, sent, rpcs: () => sent.map((s) => s.rpc) };
}
