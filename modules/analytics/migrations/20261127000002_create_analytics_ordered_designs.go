package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			stmts := []string{
				// The designs that appear in an order (order.created),
				// whether or not their design.created has arrived: the two
				// come on different streams, in either order. Conversion
				// joins analytics_designs to it at query time, so neither
				// order of arrival (nor two concurrent transactions) can
				// lose the mark. It replaces analytics_designs.ordered,
				// which only a design already known could carry.
				`CREATE TABLE analytics_ordered_designs (
					design_id TEXT PRIMARY KEY
				)`,
				`INSERT INTO analytics_ordered_designs (design_id)
					SELECT design_id FROM analytics_designs WHERE ordered`,
				`ALTER TABLE analytics_designs DROP COLUMN ordered`,
			}
			for _, stmt := range stmts {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			stmts := []string{
				`ALTER TABLE analytics_designs ADD COLUMN ordered BOOLEAN NOT NULL DEFAULT FALSE`,
				`UPDATE analytics_designs SET ordered = TRUE
					WHERE design_id IN (SELECT design_id FROM analytics_ordered_designs)`,
				`DROP TABLE IF EXISTS analytics_ordered_designs`,
			}
			for _, stmt := range stmts {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
	})
}
