package user

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/rpc"
)

// reasonAccountDeleted is the revoke reason of the sessions of a deleted
// account.
const reasonAccountDeleted = "account deleted"

// errAccountDeleted is a signed-in call of an account that no longer
// exists: deleted by its user (or its row gone), while the caller's access
// token has not expired yet.
var errAccountDeleted = errors.New("user: the account has been deleted")

// DeleteAccount checks the caller's password (throttled like sign-ins, as
// ChangePassword), then erases the account: see store.deleteAccount.
func (s *service) DeleteAccount(ctx context.Context, req *userv1.DeleteAccountRequest) (*userv1.DeleteAccountResponse, error) {
	_, a, err := s.reauthenticate(ctx, req.GetCurrentPassword())
	if err != nil {
		return nil, err
	}
	if err := s.store.deleteAccount(ctx, a.ID, a.PasswordHash, s.now()); err != nil {
		return nil, err
	}
	s.logger.InfoContext(ctx, "account deleted", "user_id", a.ID)
	return &userv1.DeleteAccountResponse{}, nil
}

// liveUser returns the caller's account, or errAccountDeleted when it was
// deleted or does not exist: the caller's verified token names it, so a
// missing row is an account gone, not a bad request.
func (s *service) liveUser(ctx context.Context, id string) (account, error) {
	a, err := s.store.userByID(ctx, id)
	switch {
	case errors.Is(err, ErrUserNotFound):
		return account{}, fmt.Errorf("%w: %w", errAccountDeleted, err)
	case err != nil:
		return account{}, err
	case !a.DeletedAt.IsZero():
		return account{}, errAccountDeleted
	}
	return a, nil
}

// deleteAccount erases user id in one transaction, provided its password
// hash is still checkedHash (else errPasswordMismatch: a concurrent
// password change won) and it is not deleted already (errAccountDeleted):
// the email becomes "deleted:<id>" (unique, and no address: nobody signs in
// with it), the display name and password hash are emptied, deleted_at is
// set; every session is revoked and its refresh tokens removed; and
// user.deleted is recorded. The row stays as a tombstone of the id.
func (s *store) deleteAccount(ctx context.Context, id, checkedHash string, now time.Time) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*userRow)(nil)).
			Set("email = ?", "deleted:"+id).
			Set("display_name = ''").
			Set("password_hash = ''").
			Set("deleted_at = ?", now.UTC()).
			Set("updated_at = ?", now.UTC()).
			Where("id = ?", id).
			Where("password_hash = ?", checkedHash).
			Where("deleted_at IS NULL").
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("user: erase user: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("user: erase user: %w", err)
		} else if n == 0 {
			a, err := userWhere(ctx, tx, "id = ?", id)
			if err != nil || !a.DeletedAt.IsZero() {
				return errAccountDeleted
			}
			return errPasswordMismatch
		}
		// user.deleted revokes every token of the account: no
		// user.sessions_revoked is needed.
		if _, err := revokeSessions(ctx, tx, reasonAccountDeleted, now, func(q *bun.UpdateQuery) *bun.UpdateQuery {
			return q.Where("user_id = ?", id)
		}); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*refreshTokenRow)(nil)).
			Where("session_id IN (?)", tx.NewSelect().Model((*sessionRow)(nil)).Column("id").Where("user_id = ?", id)).
			Exec(ctx); err != nil {
			return fmt.Errorf("user: delete refresh tokens: %w", err)
		}
		_, err = events.Record(ctx, tx, events.Event{
			AggregateID: id, Payload: &userv1.UserDeleted{UserId: id},
		})
		return err
	})
}

// reauthenticate returns the verified caller and their live account once
// password is the account's current one. A stolen access token must not
// become a password oracle: wrong passwords are throttled like failed
// sign-ins of the account.
func (s *service) reauthenticate(ctx context.Context, password string) (identity.Identity, account, error) {
	caller, err := rpc.Require(ctx)
	if err != nil {
		return caller, account{}, err
	}
	a, err := s.liveUser(ctx, caller.UserID)
	if err != nil {
		return caller, account{}, err
	}
	att, err := s.limiter.begin(ctx, a.ID, clientHost(ctx))
	if err != nil {
		return caller, account{}, err
	}
	ok, err := verifyPassword(ctx, a.PasswordHash, password)
	att.done(ctx, err == nil && !ok)
	switch {
	case err != nil:
		return caller, account{}, err
	case !ok:
		return caller, account{}, errPasswordMismatch
	}
	return caller, a, nil
}
