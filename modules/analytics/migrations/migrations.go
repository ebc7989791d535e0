// Package migrations holds the analytics module's versioned schema
// migrations. Each file is one migration, named by its version, in bun's
// migrate format; the analytics tables are prefixed analytics_.
package migrations

import "github.com/uptrace/bun/migrate"

// Migrations are the analytics module's migrations, registered by the files
// of this package.
var Migrations = migrate.NewMigrations()
