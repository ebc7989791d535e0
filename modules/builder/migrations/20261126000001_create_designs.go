package migrations

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/storage"
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		timestamp := storage.TimestampType(db)
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			stmts := []string{
				`CREATE TABLE builder_designs (
					id TEXT PRIMARY KEY,
					owner_id TEXT NOT NULL,
					name TEXT NOT NULL,
					design TEXT NOT NULL,
					quote TEXT NOT NULL,
					unit_price_cents BIGINT NOT NULL,
					version BIGINT NOT NULL,
					created_at ` + timestamp + ` NOT NULL,
					updated_at ` + timestamp + ` NOT NULL
				)`,
				`CREATE INDEX builder_designs_owner_id_id ON builder_designs (owner_id, id)`,
			}
			for _, stmt := range stmts {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		_, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS builder_designs`)
		return err
	})
}
