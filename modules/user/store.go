package user

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/storage"
)

// ErrUserNotFound is returned by GrantAdmin (and inside the module) when no
// user has the given email or id.
var ErrUserNotFound = errors.New("user: no such user")

// Store errors, translated to Connect codes by toConnectError.
var (
	errEmailTaken       = errors.New("user: email already registered")
	errPasswordMismatch = errors.New("user: current password does not match")
)

// userRow is the user_users row.
type userRow struct {
	bun.BaseModel `bun:"table:user_users"`

	ID                string    `bun:"id,pk"`
	Email             string    `bun:"email,notnull"`
	PasswordHash      string    `bun:"password_hash,notnull"`
	DisplayName       string    `bun:"display_name,notnull"`
	Role              string    `bun:"role,notnull"`
	CreatedAt         time.Time `bun:"created_at,notnull"`
	UpdatedAt         time.Time `bun:"updated_at,notnull"`
	PasswordChangedAt time.Time `bun:"password_changed_at,notnull"`
	DeletedAt         time.Time `bun:"deleted_at,nullzero"`
}

// account is a user in the module's terms.
type account struct {
	ID, Email, PasswordHash, DisplayName string
	Role                                 identity.Role
	CreatedAt, UpdatedAt                 time.Time
	// PasswordChangedAt is when the password was last set (at
	// registration, then by ChangePassword).
	PasswordChangedAt time.Time
	// DeletedAt is when the user deleted the account; zero while it is
	// live. A deleted account keeps only its id.
	DeletedAt time.Time
}

func toUserRow(a account) *userRow {
	return &userRow{
		ID: a.ID, Email: a.Email, PasswordHash: a.PasswordHash, DisplayName: a.DisplayName,
		Role: string(a.Role), CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
		PasswordChangedAt: a.PasswordChangedAt.UTC(), DeletedAt: a.DeletedAt.UTC(),
	}
}

func (r *userRow) toAccount() account {
	return account{
		ID: r.ID, Email: r.Email, PasswordHash: r.PasswordHash, DisplayName: r.DisplayName,
		Role: identity.Role(r.Role), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		PasswordChangedAt: r.PasswordChangedAt.UTC(), DeletedAt: r.DeletedAt.UTC(),
	}
}

// store keeps users, their sessions and refresh tokens. Every change that
// touches more than one row runs in one transaction.
type store struct {
	db *bun.DB
}

// createUser inserts a, signed in with s and its first refresh token, in
// one transaction. An email already taken is errEmailTaken, decided by the
// unique index so that concurrent registrations cannot both win.
func (s *store) createUser(ctx context.Context, a account, sess session, tokenHash string) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(toUserRow(a)).Exec(ctx); err != nil {
			if storage.IsUniqueViolation(err) {
				return fmt.Errorf("%w: %w", errEmailTaken, err)
			}
			return fmt.Errorf("user: insert user: %w", err)
		}
		if _, err := events.Record(ctx, tx, events.Event{
			AggregateID: a.ID, Payload: &userv1.UserRegistered{UserId: a.ID},
		}); err != nil {
			return err
		}
		return insertSession(ctx, tx, sess, tokenHash)
	})
}

func (s *store) userByEmail(ctx context.Context, email string) (account, error) {
	return userWhere(ctx, s.db, "email = ?", email)
}

func (s *store) userByID(ctx context.Context, id string) (account, error) {
	return userWhere(ctx, s.db, "id = ?", id)
}

func userWhere(ctx context.Context, db bun.IDB, where string, arg any) (account, error) {
	row := new(userRow)
	err := db.NewSelect().Model(row).Where(where, arg).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return account{}, ErrUserNotFound
	}
	if err != nil {
		return account{}, fmt.Errorf("user: select user: %w", err)
	}
	return row.toAccount(), nil
}

// updateDisplayName sets the display name of user id and returns the user;
// a deleted or missing user is errAccountDeleted.
func (s *store) updateDisplayName(ctx context.Context, id, name string, now time.Time) (account, error) {
	var rows []userRow
	err := s.db.NewUpdate().Model((*userRow)(nil)).
		Set("display_name = ?", name).
		Set("updated_at = ?", now.UTC()).
		Where("id = ?", id).
		Where("deleted_at IS NULL").
		Returning("*").
		Scan(ctx, &rows)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return account{}, fmt.Errorf("user: update display name: %w", err)
	}
	if len(rows) == 0 {
		return account{}, errAccountDeleted // gone, or deleted
	}
	return rows[0].toAccount(), nil
}

// grantAdmin gives the user with email the admin role. A user who is an
// admin already is left alone (and no error).
func (s *store) grantAdmin(ctx context.Context, email string, now time.Time) error {
	res, err := s.db.NewUpdate().Model((*userRow)(nil)).
		Set("role = ?", string(identity.RoleAdmin)).
		Set("updated_at = ?", now.UTC()).
		Where("email = ?", email).
		Where("role <> ?", string(identity.RoleAdmin)).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("user: grant admin: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("user: grant admin: %w", err)
	} else if n > 0 {
		return nil
	}
	_, err = s.userByEmail(ctx, email)
	return err
}

// ping reports whether the database answers.
func (s *store) ping(ctx context.Context) error { return s.db.PingContext(ctx) }
