package migrations

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/storage"
)

// When the retention job (order.ForgetAddresses) erased an order's shipping
// address; NULL while the order keeps it. The partial index holds only the
// orders that still have an address, which are the ones the job looks at.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, stmt := range []string{
				`ALTER TABLE order_orders ADD COLUMN address_erased_at ` + storage.TimestampType(db) + ` NULL`,
				`CREATE INDEX order_orders_address_kept ON order_orders (status, updated_at) WHERE address_erased_at IS NULL`,
			} {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		for _, stmt := range []string{
			`DROP INDEX IF EXISTS order_orders_address_kept`,
			`ALTER TABLE order_orders DROP COLUMN address_erased_at`,
		} {
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
}
