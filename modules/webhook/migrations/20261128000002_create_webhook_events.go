package migrations

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/storage"
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		timestamp := storage.TimestampType(db)
		_, err := db.ExecContext(ctx, `CREATE TABLE webhook_events (
			provider TEXT NOT NULL,
			event_id TEXT NOT NULL,
			type TEXT NOT NULL,
			received_at `+timestamp+` NOT NULL,
			PRIMARY KEY (provider, event_id)
		)`)
		return err
	}, func(ctx context.Context, db *bun.DB) error {
		_, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS webhook_events`)
		return err
	})
}
