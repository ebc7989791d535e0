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
	"github.com/harnesshero/platform/platform/storage"
)

// Revoke reasons, stored with a revoked session.
const (
	reasonSignedOut       = "signed out"
	reasonReuse           = "refresh token reuse"
	reasonPasswordChanged = "password changed"
)

// Session errors. Every refresh failure wraps errInvalidRefresh, so the
// handler answers one message whatever the cause; the wrapped detail is
// for logs only.
var (
	errInvalidRefresh = errors.New("user: invalid or expired refresh token")
	errRefreshUnknown = fmt.Errorf("%w: unknown token", errInvalidRefresh)
	errRefreshReused  = fmt.Errorf("%w: token reused, session revoked", errInvalidRefresh)
	errRefreshEnded   = fmt.Errorf("%w: session revoked or expired", errInvalidRefresh)
	// errSessionEnded is a signed-in call whose session is no longer active
	// (its access token outlives it by up to 15 minutes).
	errSessionEnded = errors.New("user: session has ended")
)

// sessionRow is the user_sessions row.
type sessionRow struct {
	bun.BaseModel `bun:"table:user_sessions"`

	ID           string    `bun:"id,pk"`
	UserID       string    `bun:"user_id,notnull"`
	CreatedAt    time.Time `bun:"created_at,notnull"`
	ExpiresAt    time.Time `bun:"expires_at,notnull"`
	RevokedAt    time.Time `bun:"revoked_at,nullzero"`
	RevokeReason string    `bun:"revoke_reason,notnull"`
}

// refreshTokenRow is the user_refresh_tokens row: only the token's hash.
type refreshTokenRow struct {
	bun.BaseModel `bun:"table:user_refresh_tokens"`

	TokenHash string    `bun:"token_hash,pk"`
	SessionID string    `bun:"session_id,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	UsedAt    time.Time `bun:"used_at,nullzero"`
}

// session is a sign-in session in the module's terms.
type session struct {
	ID, UserID           string
	CreatedAt, ExpiresAt time.Time
	// RevokedAt is zero while the session is not revoked.
	RevokedAt    time.Time
	RevokeReason string
}

// activeAt reports whether the session may be refreshed at now.
func (s session) activeAt(now time.Time) bool {
	return s.RevokedAt.IsZero() && now.Before(s.ExpiresAt)
}

func (r *sessionRow) toSession() session {
	return session{
		ID: r.ID, UserID: r.UserID, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(),
		RevokedAt: r.RevokedAt.UTC(), RevokeReason: r.RevokeReason,
	}
}

func insertSession(ctx context.Context, tx bun.Tx, s session, tokenHash string) error {
	row := &sessionRow{ID: s.ID, UserID: s.UserID, CreatedAt: s.CreatedAt.UTC(), ExpiresAt: s.ExpiresAt.UTC()}
	if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
		return fmt.Errorf("user: insert session: %w", err)
	}
	return insertRefreshToken(ctx, tx, s.ID, tokenHash, s.CreatedAt)
}

func insertRefreshToken(ctx context.Context, tx bun.Tx, sessionID, tokenHash string, now time.Time) error {
	row := &refreshTokenRow{TokenHash: tokenHash, SessionID: sessionID, CreatedAt: now.UTC()}
	if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
		return fmt.Errorf("user: insert refresh token: %w", err)
	}
	return nil
}

// lockSession reads session id for the rest of tx, locking it on Postgres
// (NO KEY UPDATE: it still lets other transactions insert rows referencing
// it). SQLite has no row locks and needs none: its write transactions are
// serialised (storage opens it with _txlock=immediate).
func lockSession(ctx context.Context, tx bun.Tx, id string) (session, error) {
	row := new(sessionRow)
	q := tx.NewSelect().Model(row).Where("id = ?", id)
	if storage.EngineOf(tx) == storage.Postgres {
		q = q.For("NO KEY UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return session{}, fmt.Errorf("user: select session: %w", err)
	}
	return row.toSession(), nil
}

// revokeSessions ends the active sessions where selects and returns their
// ids.
func revokeSessions(ctx context.Context, db bun.IDB, reason string, now time.Time, where func(*bun.UpdateQuery) *bun.UpdateQuery) ([]string, error) {
	q := db.NewUpdate().Model((*sessionRow)(nil)).
		Set("revoked_at = ?", now.UTC()).
		Set("revoke_reason = ?", reason).
		Where("revoked_at IS NULL").
		Returning("id")
	var ids []string
	if err := where(q).Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("user: revoke sessions: %w", err)
	}
	return ids, nil
}

// endSessions ends the active sessions of userID where selects, in tx, and
// records user.sessions_revoked for them (when there were any), so that
// every module refuses their access tokens too (docs/decisions/0004).
func endSessions(ctx context.Context, tx bun.Tx, userID, reason string, now time.Time, where func(*bun.UpdateQuery) *bun.UpdateQuery) error {
	ids, err := revokeSessions(ctx, tx, reason, now, func(q *bun.UpdateQuery) *bun.UpdateQuery {
		return where(q.Where("user_id = ?", userID))
	})
	if err != nil || len(ids) == 0 {
		return err
	}
	_, err = events.Record(ctx, tx, events.Event{
		AggregateID: userID,
		Payload:     &userv1.UserSessionsRevoked{UserId: userID, SessionIds: ids, Reason: reason},
	})
	return err
}

// createSession stores a new session with its first refresh token.
func (s *store) createSession(ctx context.Context, sess session, tokenHash string) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return insertSession(ctx, tx, sess, tokenHash)
	})
}

// refresh trades the refresh token hashed oldHash for newHash in the same
// session, in one transaction, and returns the session's user as stored
// now. The session row is locked first, so of concurrent refreshes of one
// token exactly one succeeds. A token already used revokes its session
// (committed) and is errRefreshReused; every failure wraps
// errInvalidRefresh. On reuse the revoked session is returned with the
// error, for logging.
func (s *store) refresh(ctx context.Context, oldHash, newHash string, now time.Time) (account, session, error) {
	var (
		a      account
		sess   session
		reused bool
	)
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		tok := new(refreshTokenRow)
		err := tx.NewSelect().Model(tok).Where("token_hash = ?", oldHash).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return errRefreshUnknown
		}
		if err != nil {
			return fmt.Errorf("user: select refresh token: %w", err)
		}
		if sess, err = lockSession(ctx, tx, tok.SessionID); err != nil {
			return err
		}
		res, err := tx.NewUpdate().Model((*refreshTokenRow)(nil)).
			Set("used_at = ?", now.UTC()).
			Where("token_hash = ?", oldHash).
			Where("used_at IS NULL").
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("user: mark refresh token used: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("user: mark refresh token used: %w", err)
		} else if n == 0 {
			// Used before: a copy of the token is in other hands.
			reused = true
			return endSessions(ctx, tx, sess.UserID, reasonReuse, now, func(q *bun.UpdateQuery) *bun.UpdateQuery {
				return q.Where("id = ?", sess.ID)
			})
		}
		if !sess.activeAt(now) {
			return errRefreshEnded
		}
		if err := insertRefreshToken(ctx, tx, sess.ID, newHash, now); err != nil {
			return err
		}
		a, err = userWhere(ctx, tx, "id = ?", sess.UserID)
		if err == nil && !a.DeletedAt.IsZero() {
			return errAccountDeleted
		}
		return err
	})
	if err != nil {
		return account{}, session{}, err
	}
	if reused {
		return account{}, sess, errRefreshReused
	}
	return a, sess, nil
}

// revokeSession ends session id of userID and records
// user.sessions_revoked, in one transaction (idempotent: an ended or
// unknown session is left alone, and nothing is recorded).
func (s *store) revokeSession(ctx context.Context, userID, id, reason string, now time.Time) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return endSessions(ctx, tx, userID, reason, now, func(q *bun.UpdateQuery) *bun.UpdateQuery {
			return q.Where("id = ?", id)
		})
	})
}

// changePassword replaces the password hash of userID, provided it is
// still oldHash (else errPasswordMismatch: a concurrent change won), ends
// every other session of the user, marks the current session's refresh
// tokens used and gives it the new one, in one transaction. A current
// session that is not the user's or not active is errSessionEnded.
//
// Lock order, to rule out deadlocks with refresh: the user row, then the
// current session, then the other sessions.
func (s *store) changePassword(ctx context.Context, userID, sessionID, oldHash, newHash, tokenHash string, now time.Time) (account, session, error) {
	var (
		a    account
		sess session
	)
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*userRow)(nil)).
			Set("password_hash = ?", newHash).
			Set("password_changed_at = ?", now.UTC()).
			Set("updated_at = ?", now.UTC()).
			Where("id = ?", userID).
			Where("password_hash = ?", oldHash).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("user: update password: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("user: update password: %w", err)
		} else if n == 0 {
			return errPasswordMismatch
		}
		sess, err = lockSession(ctx, tx, sessionID)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (sess.UserID != userID || !sess.activeAt(now))) {
			return errSessionEnded
		}
		if err != nil {
			return err
		}
		if err := endSessions(ctx, tx, userID, reasonPasswordChanged, now, func(q *bun.UpdateQuery) *bun.UpdateQuery {
			return q.Where("id <> ?", sessionID)
		}); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*refreshTokenRow)(nil)).
			Set("used_at = ?", now.UTC()).
			Where("session_id = ?", sessionID).
			Where("used_at IS NULL").
			Exec(ctx); err != nil {
			return fmt.Errorf("user: retire refresh tokens: %w", err)
		}
		if err := insertRefreshToken(ctx, tx, sessionID, tokenHash, now); err != nil {
			return err
		}
		a, err = userWhere(ctx, tx, "id = ?", userID)
		return err
	})
	if err != nil {
		return account{}, session{}, err
	}
	return a, sess, nil
}
