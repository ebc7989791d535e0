-- pgbench's side of createdesign.sh: one transaction inserting one row
-- shaped like a saved design (builder_designs).
\set owner random(1, 1000)
INSERT INTO bench_designs (id, owner_id, name, design, quote, unit_price_cents, version, created_at, updated_at)
VALUES (gen_random_uuid()::text, 'owner-' || :owner, 'Walks',
  '{"style":"STYLE_STEP_IN","size":"SIZE_M","material":"MATERIAL_NYLON","hardware":"HARDWARE_PLASTIC","webbingColor":"COLOR_RED"}',
  '{"unitPriceCents":"4900","parts":[{"kind":"PART_KIND_BASE","amountCents":"4900"}],"lineTotalCents":"4900"}',
  4900, 1, now(), now());
