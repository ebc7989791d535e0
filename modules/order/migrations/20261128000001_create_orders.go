package migrations

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		timestamp := storage.TimestampType(db)
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, stmt := range []string{
				// The order itself is stored whole as protobuf JSON (data);
				// the columns are what queries filter and sort on.
				`CREATE TABLE order_orders (
					id TEXT PRIMARY KEY,
					owner_id TEXT NOT NULL,
					status INTEGER NOT NULL,
					version BIGINT NOT NULL,
					total_cents BIGINT NOT NULL,
					payment_intent_id TEXT NOT NULL DEFAULT '',
					data TEXT NOT NULL,
					created_at ` + timestamp + ` NOT NULL,
					updated_at ` + timestamp + ` NOT NULL
				)`,
				`CREATE INDEX order_orders_owner_id ON order_orders (owner_id, id)`,
				`CREATE INDEX order_orders_status ON order_orders (status, id)`,
				`CREATE INDEX order_orders_created_at ON order_orders (created_at)`,
				`CREATE INDEX order_orders_payment_intent_id ON order_orders (payment_intent_id)`,
				`CREATE TABLE order_idempotency_keys (
					owner_id TEXT NOT NULL,
					key TEXT NOT NULL,
					request_hash TEXT NOT NULL,
					order_id TEXT NOT NULL,
					created_at ` + timestamp + ` NOT NULL,
					PRIMARY KEY (owner_id, key)
				)`,
				events.ProcessedTableDDL("order_processed_events", timestamp),
			} {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		for _, t := range []string{"order_orders", "order_idempotency_keys", "order_processed_events"} {
			if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+t); err != nil {
				return err
			}
		}
		return nil
	})
}
