package storage

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// MigrationSet is one module's versioned migrations. Each module keeps its
// own bookkeeping tables (<Module>_migrations), so modules migrate
// independently and an extracted module migrates only what it owns.
type MigrationSet struct {
	Module     string
	Migrations *migrate.Migrations
}

// Migrate applies every pending migration of each set, in order. It is safe
// to call at every start-up: applied migrations are skipped. Its statements
// are bounded by MigrationTimeout instead of the database's query timeout.
func Migrate(ctx context.Context, db *bun.DB, logger *slog.Logger, sets ...MigrationSet) error {
	ctx = WithTimeout(ctx, MigrationTimeout)
	if EngineOf(db) == Postgres {
		// Processes starting together on one database take turns: bun's
		// own lock table cannot guard the creation of its tables.
		conn, err := db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("storage: migrations connection: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", migrationsLockID); err != nil {
			return fmt.Errorf("storage: migrations lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", migrationsLockID) //nolint:errcheck // released with the session anyway
	}
	for _, set := range sets {
		m := migrate.NewMigrator(db, set.Migrations,
			migrate.WithTableName(set.Module+"_migrations"),
			migrate.WithLocksTableName(set.Module+"_migration_locks"),
			migrate.WithMarkAppliedOnSuccess(true),
		)
		if err := m.Init(ctx); err != nil {
			return fmt.Errorf("storage: init %s migrations: %w", set.Module, err)
		}
		if err := lock(ctx, m); err != nil {
			return fmt.Errorf("storage: lock %s migrations: %w", set.Module, err)
		}
		group, err := m.Migrate(ctx)
		unlockErr := m.Unlock(ctx)
		if err != nil {
			return fmt.Errorf("storage: migrate %s: %w", set.Module, err)
		}
		if unlockErr != nil {
			return fmt.Errorf("storage: unlock %s migrations: %w", set.Module, unlockErr)
		}
		if !group.IsZero() {
			logger.InfoContext(ctx, "migrated", "module", set.Module, "group", group.ID, "migrations", group.Migrations.String())
		}
	}
	return nil
}

// migrationsLockID is the Postgres advisory lock held while migrating.
const migrationsLockID = 0x68686d67 // "hhmg"

// lock takes the migration lock of m, waiting while another process (two
// services started together on one database) holds it.
func lock(ctx context.Context, m *migrate.Migrator) error {
	deadline := time.Now().Add(time.Minute)
	for {
		err := m.Lock(ctx)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
