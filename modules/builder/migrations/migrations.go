// Package migrations holds the builder module's versioned schema
// migrations. Each file is one migration, named by its version, in bun's
// migrate format; the builder's tables are prefixed builder_.
package migrations

import "github.com/uptrace/bun/migrate"

// Migrations are the builder module's migrations, registered by the files of
// this package.
var Migrations = migrate.NewMigrations()
