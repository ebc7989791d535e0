package migrations

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/storage"
)

// deleted_at marks an account its user deleted: the row stays, erased, as
// a tombstone of the opaque id (orders still name it), so that the
// account's access tokens are refused until they expire.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		_, err := db.ExecContext(ctx, `ALTER TABLE user_users ADD COLUMN deleted_at `+storage.TimestampType(db))
		return err
	}, func(ctx context.Context, db *bun.DB) error {
		_, err := db.ExecContext(ctx, `ALTER TABLE user_users DROP COLUMN deleted_at`)
		return err
	})
}
