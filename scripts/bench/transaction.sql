-- pgbench's second reference for createdesign.sh: the statements of one
-- CreateDesign transaction as the platform sends them (the owner's shared
-- advisory lock, the deleted-owner check, the design row, its outbox row),
-- into tables of the same shape, without the platform.
\set owner random(1, 1000)
BEGIN;
SELECT pg_advisory_xact_lock_shared(hashtextextended('owner-' || :owner, 1651862628));
SELECT EXISTS (SELECT 1 FROM bench_deleted_owners WHERE owner_id = 'owner-' || :owner);
INSERT INTO bench_designs (id, owner_id, name, design, quote, unit_price_cents, version, created_at, updated_at)
VALUES (gen_random_uuid()::text, 'owner-' || :owner, 'Walks',
  '{"style":"STYLE_STEP_IN","size":"SIZE_M","material":"MATERIAL_NYLON","hardware":"HARDWARE_PLASTIC","webbingColor":"COLOR_RED"}',
  '{"unitPriceCents":"4900","parts":[{"kind":"PART_KIND_BASE","amountCents":"4900"}],"lineTotalCents":"4900"}',
  4900, 1, now(), now());
INSERT INTO bench_outbox (id, type, aggregate_id, envelope, created_at)
VALUES (gen_random_uuid()::text, 'design.created', 'owner-' || :owner, repeat('x', 400), now()) RETURNING seq;
COMMIT;
