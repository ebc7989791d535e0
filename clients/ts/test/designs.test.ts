// DesignService against a live server: the whole life of a saved design.
// Names carry the run's prefix, so the tests hold on a non-empty database
// and alongside the other test files, which run in parallel.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";

import { create, equals } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, DesignSchema, Size, type SavedDesign } from "@harnesshero/client/all";

import { RUN, basicDesign, brokenDesign, connect, expectCode, expectViolations, fieldsOf, loadedDesign } from "./support.js";

const harness = connect();

function timeMs(d: SavedDesign, which: "createTime" | "updateTime"): number {
  const t = d[which];
  assert.ok(t, `${which} is missing`);
  return timestampMs(t);
}

describe("DesignService", () => {
  test("create, get, update, stale update, delete", async () => {
    const name = `${RUN} lifecycle`;
    const design = basicDesign();

    // Create: version 1, priced at quantity 1.
    const created = (await harness.designs.createDesign({ name, design })).design;
    assert.ok(created);
    assert.match(created.id, /^[0-9a-f-]{36}$/);
    assert.notEqual(created.ownerId, "");
    assert.equal(created.name, name);
    assert.equal(created.version, 1n);
    assert.ok(equals(DesignSchema, created.design ?? create(DesignSchema), create(DesignSchema, design)));
    assert.equal(created.quote?.quantity, 1);
    assert.equal(created.quote?.unitPriceCents, 3400);
    assert.equal(created.quote?.totalCents, 3400);
    assert.equal(timeMs(created, "createTime"), timeMs(created, "updateTime"));

    // Get returns what was stored.
    const got = (await harness.designs.getDesign({ id: created.id })).design;
    assert.ok(got);
    assert.equal(got.id, created.id);
    assert.equal(got.name, name);
    assert.equal(got.version, 1n);
    assert.ok(got.design && created.design && equals(DesignSchema, got.design, created.design));
    assert.equal(timeMs(got, "createTime"), timeMs(created, "createTime"));

    // Update: version 2, re-priced, same creation time.
    const renamed = `${name} (loaded)`;
    const updated = (
      await harness.designs.updateDesign({ id: created.id, name: renamed, design: loadedDesign(), expectedVersion: 1n })
    ).design;
    assert.ok(updated);
    assert.equal(updated.version, 2n);
    assert.equal(updated.name, renamed);
    assert.equal(updated.quote?.unitPriceCents, 13850);
    assert.equal(updated.quote?.quantity, 1);
    assert.equal(updated.quote?.totalCents, 13850);
    assert.equal(timeMs(updated, "createTime"), timeMs(created, "createTime"));
    assert.ok(timeMs(updated, "updateTime") >= timeMs(created, "updateTime"));

    // A stale expected_version is refused and changes nothing.
    await expectCode(
      harness.designs.updateDesign({ id: created.id, name: "stale", design: basicDesign(), expectedVersion: 1n }),
      Code.Aborted,
    );
    const after = (await harness.designs.getDesign({ id: created.id })).design;
    assert.equal(after?.version, 2n);
    assert.equal(after?.name, renamed);
    assert.equal(after?.quote?.unitPriceCents, 13850);

    // Delete, then it is gone.
    await harness.designs.deleteDesign({ id: created.id });
    await expectCode(harness.designs.getDesign({ id: created.id }), Code.NotFound);
    await expectCode(
      harness.designs.updateDesign({ id: created.id, name, design }),
      Code.NotFound,
    );
  });

  test("lists page by page, newest first", async () => {
    const names = [0, 1, 2, 3, 4].map((i) => `${RUN} page ${i}`);
    const ids: string[] = [];
    for (const name of names) {
      // One at a time, so the creation order is known.
      const d = (await harness.designs.createDesign({ name, design: basicDesign({ size: Size.S }) })).design;
      assert.ok(d);
      ids.push(d.id);
    }
    assert.equal(new Set(ids).size, 5, "created ids are unique");

    const seen: SavedDesign[] = [];
    let pageToken = "";
    let pages = 0;
    for (;;) {
      const res = await harness.designs.listDesigns({ pageSize: 2, pageToken });
      pages++;
      assert.ok(res.designs.length <= 2, `page ${pages} has ${res.designs.length} designs`);
      if (res.nextPageToken !== "") {
        assert.equal(res.designs.length, 2, `page ${pages} is not full yet is not the last`);
      }
      seen.push(...res.designs);
      if (res.nextPageToken === "") break;
      pageToken = res.nextPageToken;
      assert.ok(pages < 10_000, "pagination does not end");
    }
    assert.ok(pages >= 3, `5 designs in pages of 2 need at least 3 pages, got ${pages}`);

    const seenIds = seen.map((d) => d.id);
    assert.equal(new Set(seenIds).size, seenIds.length, "no design appears twice across pages");
    for (let i = 1; i < seen.length; i++) {
      assert.ok(
        timeMs(seen[i - 1]!, "createTime") >= timeMs(seen[i]!, "createTime"),
        `designs ${i - 1} and ${i} are not newest first`,
      );
    }
    // Ours are all there, newest first.
    const ours = seen.filter((d) => d.name.startsWith(`${RUN} page `));
    assert.deepEqual(ours.map((d) => d.id), [...ids].reverse());
    assert.deepEqual(ours.map((d) => d.name), [...names].reverse());

    for (const id of ids) {
      await harness.designs.deleteDesign({ id });
    }
  });

  test("refuses to save an invalid design", async () => {
    const violations = await expectViolations(
      harness.designs.createDesign({ name: `${RUN} broken`, design: brokenDesign() }),
    );
    assert.deepEqual(fieldsOf(violations), [
      "design.backHandle",
      "design.hardware",
      "design.size",
      "design.style",
      "design.webbingColor",
    ]);
  });

  test("refuses a name over 80 characters", async () => {
    const violations = await expectViolations(
      harness.designs.createDesign({ name: "x".repeat(81), design: basicDesign() }),
    );
    assert.deepEqual(fieldsOf(violations), ["name"]);
  });

  test("answers NotFound for an unknown id and InvalidArgument for a malformed one", async () => {
    await expectCode(harness.designs.getDesign({ id: randomUUID() }), Code.NotFound);
    await expectCode(harness.designs.deleteDesign({ id: randomUUID() }), Code.NotFound);
    const violations = await expectViolations(harness.designs.getDesign({ id: "not-a-uuid" }));
    assert.deepEqual(fieldsOf(violations), ["id"]);
  });

  test("refuses a forged page token", async () => {
    const violations = await expectViolations(harness.designs.listDesigns({ pageToken: "not a token" }));
    assert.deepEqual(fieldsOf(violations), ["pageToken"]);
  });
});
