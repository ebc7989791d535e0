package migrations

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/storage"
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		timestamp := storage.TimestampType(db)
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			stmts := []string{
				// email is stored normalised (trimmed, lower-case); the
				// unique index is what makes registration race-safe.
				`CREATE TABLE user_users (
					id TEXT PRIMARY KEY,
					email TEXT NOT NULL,
					password_hash TEXT NOT NULL,
					display_name TEXT NOT NULL,
					role TEXT NOT NULL CHECK (role IN ('user', 'admin')),
					created_at ` + timestamp + ` NOT NULL,
					updated_at ` + timestamp + ` NOT NULL,
					password_changed_at ` + timestamp + ` NOT NULL
				)`,
				`CREATE UNIQUE INDEX user_users_email ON user_users (email)`,
				`CREATE TABLE user_sessions (
					id TEXT PRIMARY KEY,
					user_id TEXT NOT NULL REFERENCES user_users (id) ON DELETE CASCADE,
					created_at ` + timestamp + ` NOT NULL,
					expires_at ` + timestamp + ` NOT NULL,
					revoked_at ` + timestamp + `,
					revoke_reason TEXT NOT NULL DEFAULT ''
				)`,
				`CREATE INDEX user_sessions_user_id ON user_sessions (user_id)`,
				// Refresh tokens are kept only as the SHA-256 hex of the
				// token: a leaked table cannot be replayed.
				`CREATE TABLE user_refresh_tokens (
					token_hash TEXT PRIMARY KEY,
					session_id TEXT NOT NULL REFERENCES user_sessions (id) ON DELETE CASCADE,
					created_at ` + timestamp + ` NOT NULL,
					used_at ` + timestamp + `
				)`,
				`CREATE INDEX user_refresh_tokens_session_id ON user_refresh_tokens (session_id)`,
			}
			for _, stmt := range stmts {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		for _, table := range []string{"user_refresh_tokens", "user_sessions", "user_users"} {
			if _, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS `+table); err != nil {
				return err
			}
		}
		return nil
	})
}
