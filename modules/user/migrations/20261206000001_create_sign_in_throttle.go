package migrations

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/storage"
)

// Each account's sign-in token bucket (docs/decisions/0004): in the
// database, so a lock survives restarts, holds across replicas, and no
// flood of other sign-ins can push it out. One row per account that ever
// failed a sign-in, at most.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		floatType := "DOUBLE PRECISION"
		if storage.EngineOf(db) == storage.SQLite {
			floatType = "REAL"
		}
		_, err := db.ExecContext(ctx, `CREATE TABLE user_sign_in_buckets (
			user_id TEXT PRIMARY KEY,
			tokens `+floatType+` NOT NULL,
			updated_at `+storage.TimestampType(db)+` NOT NULL
		)`)
		return err
	}, func(ctx context.Context, db *bun.DB) error {
		_, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS user_sign_in_buckets`)
		return err
	})
}
