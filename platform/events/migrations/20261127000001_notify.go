package migrations

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/storage"
)

// On Postgres, rows becoming pending (recorded, or marked undelivered for a
// re-delivery) notify the channel events_outbox, which relays LISTEN on:
// Postgres delivers a notification when the transaction commits, once per
// transaction. SQLite has no such thing; relays there are woken in process.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		if storage.EngineOf(db) != storage.Postgres {
			return nil
		}
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, stmt := range []string{
				`CREATE FUNCTION events_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN
					PERFORM pg_notify('events_outbox', '');
					RETURN NULL;
				END $$`,
				// Once per INSERT statement, however many rows.
				`CREATE TRIGGER events_outbox_recorded AFTER INSERT ON events_outbox
					FOR EACH STATEMENT EXECUTE FUNCTION events_outbox_notify()`,
				`CREATE TRIGGER events_outbox_undelivered AFTER UPDATE OF delivered_at ON events_outbox
					FOR EACH ROW WHEN (OLD.delivered_at IS NOT NULL AND NEW.delivered_at IS NULL)
					EXECUTE FUNCTION events_outbox_notify()`,
			} {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		if storage.EngineOf(db) != storage.Postgres {
			return nil
		}
		_, err := db.ExecContext(ctx, `DROP TRIGGER IF EXISTS events_outbox_recorded ON events_outbox;
			DROP TRIGGER IF EXISTS events_outbox_undelivered ON events_outbox;
			DROP FUNCTION IF EXISTS events_outbox_notify()`)
		return err
	})
}
