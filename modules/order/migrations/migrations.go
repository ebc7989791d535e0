// Package migrations holds the order module's schema migrations.
package migrations

import "github.com/uptrace/bun/migrate"

// Migrations are the order module's migrations.
var Migrations = migrate.NewMigrations()
