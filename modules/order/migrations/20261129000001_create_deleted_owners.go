package migrations

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/storage"
)

// The owners the order module has seen deleted (user.deleted): they may
// place no more orders. Their orders stay (see docs/decisions).
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		_, err := db.ExecContext(ctx, `CREATE TABLE order_deleted_owners (
			owner_id TEXT PRIMARY KEY,
			deleted_at `+storage.TimestampType(db)+` NOT NULL
		)`)
		return err
	}, func(ctx context.Context, db *bun.DB) error {
		_, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS order_deleted_owners`)
		return err
	})
}
