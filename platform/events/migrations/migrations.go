// Package migrations holds the outbox's schema migrations.
package migrations

import "github.com/uptrace/bun/migrate"

// Migrations are the outbox's migrations.
var Migrations = migrate.NewMigrations()
