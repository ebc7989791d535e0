package migrations

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/storage"
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		// Per engine: the auto-incrementing key and the timestamp type.
		seq, timestamp := "INTEGER PRIMARY KEY AUTOINCREMENT", "TIMESTAMP"
		if storage.EngineOf(db) == storage.Postgres {
			seq, timestamp = "BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ"
		}
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, stmt := range []string{
				`CREATE TABLE events_outbox (
					seq ` + seq + `,
					id TEXT NOT NULL UNIQUE,
					type TEXT NOT NULL,
					aggregate_id TEXT NOT NULL,
					envelope TEXT NOT NULL,
					created_at ` + timestamp + ` NOT NULL,
					delivered_at ` + timestamp + `,
					attempts INTEGER NOT NULL DEFAULT 0
				)`,
				// The relay's query: undelivered rows in order.
				`CREATE INDEX events_outbox_pending ON events_outbox (seq) WHERE delivered_at IS NULL`,
				`CREATE TABLE events_dead_letters (
					id TEXT PRIMARY KEY,
					consumer TEXT NOT NULL,
					type TEXT NOT NULL,
					envelope TEXT NOT NULL,
					reason TEXT NOT NULL,
					created_at ` + timestamp + ` NOT NULL
				)`,
			} {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		_, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS events_outbox; DROP TABLE IF EXISTS events_dead_letters`)
		return err
	})
}
