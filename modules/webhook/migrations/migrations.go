// Package migrations holds the webhook module's schema migrations.
package migrations

import "github.com/uptrace/bun/migrate"

// Migrations are the webhook module's migrations.
var Migrations = migrate.NewMigrations()
