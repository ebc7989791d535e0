package storage_test

import (
	"context"
	"sync/atomic"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// onceMigrations is a migration set whose one migration counts its runs.
// (bun names a migration after the file that registers it: this one.)
func onceMigrations(runs *atomic.Int32) *migrate.Migrations {
	m := migrate.NewMigrations()
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		runs.Add(1)
		_, err := db.ExecContext(ctx, "CREATE TABLE t_once (id INTEGER)")
		return err
	}, nil)
	return m
}
