package migrations

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		// The one difference between the engines: Postgres has a real
		// time-zoned timestamp type; SQLite stores bun's text form. Days are
		// "YYYY-MM-DD" text on both, so they compare and sort as dates.
		timestamp := storage.TimestampType(db)
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			stmts := []string{
				// The events applied, recorded by events.Once in the
				// transaction of their effect.
				events.ProcessedTableDDL("analytics_processed_events", timestamp),
				// One row per design ever created: its current choices
				// (version is the builder's, so an older event never
				// overwrites a newer one), the day it was created and
				// deleted, and whether an order included it.
				`CREATE TABLE analytics_designs (
					design_id TEXT PRIMARY KEY,
					owner_id TEXT NOT NULL,
					style INTEGER NOT NULL,
					size INTEGER NOT NULL,
					material INTEGER NOT NULL,
					hardware INTEGER NOT NULL,
					webbing_color INTEGER NOT NULL,
					version BIGINT NOT NULL,
					created_day TEXT NOT NULL,
					deleted_day TEXT,
					ordered BOOLEAN NOT NULL DEFAULT FALSE
				)`,
				`CREATE INDEX analytics_designs_created_day ON analytics_designs (created_day)`,
				// Counters per UTC day, changed only by atomic upserts. The
				// order columns stay 0 until the order module publishes its
				// events.
				`CREATE TABLE analytics_daily (
					day TEXT PRIMARY KEY,
					designs_created BIGINT NOT NULL DEFAULT 0,
					designs_deleted BIGINT NOT NULL DEFAULT 0,
					orders_created BIGINT NOT NULL DEFAULT 0,
					orders_paid BIGINT NOT NULL DEFAULT 0,
					orders_cancelled BIGINT NOT NULL DEFAULT 0,
					orders_refunded BIGINT NOT NULL DEFAULT 0,
					revenue_cents BIGINT NOT NULL DEFAULT 0,
					users_registered BIGINT NOT NULL DEFAULT 0
				)`,
			}
			for _, stmt := range stmts {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		for _, table := range []string{"analytics_daily", "analytics_designs", "analytics_processed_events"} {
			if _, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS `+table); err != nil {
				return err
			}
		}
		return nil
	})
}
