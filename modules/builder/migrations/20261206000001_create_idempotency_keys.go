package migrations

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/storage"
)

// CreateDesign's idempotency keys (ADR 0006's rules, issue 18): per owner,
// the request's hash and the design it saved.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		_, err := db.ExecContext(ctx, `CREATE TABLE builder_idempotency_keys (
			owner_id TEXT NOT NULL,
			key TEXT NOT NULL,
			request_hash TEXT NOT NULL,
			design_id TEXT NOT NULL,
			created_at `+storage.TimestampType(db)+` NOT NULL,
			PRIMARY KEY (owner_id, key)
		)`)
		return err
	}, func(ctx context.Context, db *bun.DB) error {
		_, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS builder_idempotency_keys`)
		return err
	})
}
