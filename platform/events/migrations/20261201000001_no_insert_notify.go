package migrations

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/storage"
)

// Recording an event no longer notifies (ADR 0026): Postgres serialises
// the commits of every transaction that NOTIFYs (each waits for the one
// before to reach the disk), which held CreateDesign to ~800 commits/s on
// the development machine. The process that records an event wakes its own
// relay when the transaction commits, and a relay that finds another one
// delivering looks again soon. Marking rows undelivered (a re-delivery,
// from the command line) still notifies.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		if storage.EngineOf(db) != storage.Postgres {
			return nil
		}
		_, err := db.ExecContext(ctx, `DROP TRIGGER IF EXISTS events_outbox_recorded ON events_outbox`)
		return err
	}, func(ctx context.Context, db *bun.DB) error {
		if storage.EngineOf(db) != storage.Postgres {
			return nil
		}
		_, err := db.ExecContext(ctx, `CREATE TRIGGER events_outbox_recorded AFTER INSERT ON events_outbox
			FOR EACH STATEMENT EXECUTE FUNCTION events_outbox_notify()`)
		return err
	})
}
