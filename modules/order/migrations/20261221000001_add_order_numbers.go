package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Order numbers: 1, 2, 3… in the order orders were placed, never reused,
// for people to read and say (the id is a UUID). order_numbers holds the
// last number given; CreateOrder takes the next one in its transaction.
// Orders placed before this migration are numbered by when they were
// placed.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, stmt := range []string{
				`ALTER TABLE order_orders ADD COLUMN number BIGINT NULL`,
				`UPDATE order_orders SET number = (
					SELECT COUNT(*) FROM order_orders earlier
					WHERE earlier.created_at < order_orders.created_at
						OR (earlier.created_at = order_orders.created_at AND earlier.id <= order_orders.id))`,
				`CREATE UNIQUE INDEX order_orders_number ON order_orders (number)`,
				`CREATE TABLE order_numbers (
					id INTEGER PRIMARY KEY CHECK (id = 1),
					last BIGINT NOT NULL
				)`,
				`INSERT INTO order_numbers (id, last) SELECT 1, COUNT(*) FROM order_orders`,
			} {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		for _, stmt := range []string{
			`DROP TABLE IF EXISTS order_numbers`,
			`DROP INDEX IF EXISTS order_orders_number`,
			`ALTER TABLE order_orders DROP COLUMN number`,
		} {
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
}
