package storage

import (
	"context"
	"fmt"
	"log/slog"

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
// to call at every start-up: applied migrations are skipped.
func Migrate(ctx context.Context, db *bun.DB, logger *slog.Logger, sets ...MigrationSet) error {
	for _, set := range sets {
		m := migrate.NewMigrator(db, set.Migrations,
			migrate.WithTableName(set.Module+"_migrations"),
			migrate.WithLocksTableName(set.Module+"_migration_locks"),
			migrate.WithMarkAppliedOnSuccess(true),
		)
		if err := m.Init(ctx); err != nil {
			return fmt.Errorf("storage: init %s migrations: %w", set.Module, err)
		}
		if err := m.Lock(ctx); err != nil {
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
