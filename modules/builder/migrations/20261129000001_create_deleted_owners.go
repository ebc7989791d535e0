package migrations

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
)

// The builder consumes user.deleted: its processed-events table, and the
// owners it has seen deleted (whose designs it removed, and who may save
// no more).
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		timestamp := storage.TimestampType(db)
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, stmt := range []string{
				events.ProcessedTableDDL("builder_processed_events", timestamp),
				`CREATE TABLE builder_deleted_owners (
					owner_id TEXT PRIMARY KEY,
					deleted_at ` + timestamp + ` NOT NULL
				)`,
			} {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		for _, table := range []string{"builder_deleted_owners", "builder_processed_events"} {
			if _, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS `+table); err != nil {
				return err
			}
		}
		return nil
	})
}
