package analytics_test

import (
	"log/slog"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/uptrace/bun/migrate"
	"google.golang.org/protobuf/testing/protocmp"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	"github.com/harnesshero/platform/modules/analytics"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestMigrateOrderedDesigns moves a database of the first schema, where a
// design's ordered column held the mark, to analytics_ordered_designs and
// back, on every engine: no mark is lost either way.
func TestMigrateOrderedDesigns(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			logger := slog.New(slog.DiscardHandler)
			db, err := storage.Open(ctx, storagetest.DSN(t, engine))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })

			all := analytics.Migrations()
			first, upTo := migrate.NewMigrations(), migrate.NewMigrations()
			first.Add(all.Migrations.Sorted()[0])
			// The migrations up to the one under test: later ones are
			// another test's business.
			for _, m := range all.Migrations.Sorted() {
				upTo.Add(m)
				if m.Comment == "create_analytics_ordered_designs" {
					break
				}
			}
			underTest := storage.MigrationSet{Module: all.Module, Migrations: upTo}
			if err := storage.Migrate(ctx, db, logger, storage.MigrationSet{Module: all.Module, Migrations: first}); err != nil {
				t.Fatal(err)
			}
			for _, d := range []struct {
				id      string
				ordered bool
			}{{"a", true}, {"b", false}, {"c", true}} {
				if _, err := db.NewRaw(
					"INSERT INTO analytics_designs (design_id, owner_id, style, size, material, hardware, webbing_color, version, created_day, ordered) "+
						"VALUES (?, 'owner-1', 1, 1, 1, 1, 1, 1, '2026-11-01', ?)", d.id, d.ordered,
				).Exec(ctx); err != nil {
					t.Fatal(err)
				}
			}

			up := func() {
				t.Helper()
				// The migration under test in a group of its own, then the
				// later ones.
				for _, set := range []storage.MigrationSet{underTest, all} {
					if err := storage.Migrate(ctx, db, logger, set); err != nil {
						t.Fatal(err)
					}
				}
				want := &analyticsv1.GetConversionResponse{DesignsCreated: 3, DesignsOrdered: 2, ConversionBasisPoints: 6666}
				if diff := cmp.Diff(want, envOn(t, db, options{}).conversion(t, "2026-11-01", "2026-11-01"), protocmp.Transform()); diff != "" {
					t.Errorf("conversion (-want +got):\n%s", diff)
				}
			}
			up()

			m := migrate.NewMigrator(db, all.Migrations,
				migrate.WithTableName(all.Module+"_migrations"), migrate.WithLocksTableName(all.Module+"_migration_locks"))
			if _, err := m.Rollback(ctx); err != nil { // the later migrations
				t.Fatalf("rollback: %v", err)
			}
			group, err := m.Rollback(ctx)
			if err != nil {
				t.Fatalf("rollback: %v", err)
			}
			if len(group.Migrations) != 1 || group.Migrations[0].Comment != "create_analytics_ordered_designs" {
				t.Fatalf("rolled back %v, want the migration under test only", group.Migrations)
			}
			var ordered []string
			if err := db.NewRaw("SELECT design_id FROM analytics_designs WHERE ordered ORDER BY design_id").Scan(ctx, &ordered); err != nil {
				t.Fatal(err)
			}
			if want := []string{"a", "c"}; !slices.Equal(ordered, want) {
				t.Errorf("after rollback: ordered designs = %v, want %v", ordered, want)
			}

			up() // and forward again
		})
	}
}
