// Package migrations holds the user module's versioned schema migrations.
// Each file is one migration, named by its version, in bun's migrate
// format; the user module's tables are prefixed user_.
package migrations

import "github.com/uptrace/bun/migrate"

// Migrations are the user module's migrations, registered by the files of
// this package.
var Migrations = migrate.NewMigrations()
