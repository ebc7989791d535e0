// Package revocation is a module's list of access tokens the user module
// revoked before they expire: those of a deleted account (user.deleted)
// and those of ended sessions (user.sessions_revoked: signed out, password
// changed, refresh token reused). Access tokens verify locally with the
// public key and live 15 minutes; a module refuses a revoked one once it
// has consumed the event that revoked it (docs/decisions/0004, 0009).
//
// A List keeps the revocations in a table of the module's own (Migration),
// fed by a consumer of the module's own (events.Once), so it survives
// restarts and is shared by the module's replicas; Guard checks it on
// every signed-in or admin RPC of the module and ends the module's open
// streams of a token revoked while they run. A row is kept for Retention,
// longer than any token it names can verify, so the table stays small.
//
//	tokens, err := revocation.New(revocation.Config{DB: db, Table: "order_revocations",
//		Consumer: "order-revocations", ProcessedTable: "order_processed_events"})
//	rpc.RegisterGuarded(srv, func(s *connect.Server) {
//		orderv1connect.RegisterOrderServiceHandler(s, svc)
//	}, tokens.Guard())
//	// and, before the router runs: tokens.Subscribe(router)
package revocation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	connect "connectrpc.com/connect/v2"
	"github.com/uptrace/bun"

	authv1 "github.com/harnesshero/platform/gen/harness/auth/v1"
	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/rpc"
	"github.com/harnesshero/platform/platform/storage"
)

// Retention is how long a revocation is kept after it happened: longer
// than any access token issued before it can still verify (its 15 minutes
// plus the verifier's clock skew), with a margin for clocks that differ
// between processes. A deleted account or an ended session gets no new
// token, so an older row protects nothing.
const Retention = time.Hour

// Errors of Check. Guard answers both with Unauthenticated.
var (
	// ErrAccountDeleted is a token of a deleted account.
	ErrAccountDeleted = errors.New("revocation: the account has been deleted")
	// ErrSessionEnded is a token of an ended session.
	ErrSessionEnded = errors.New("revocation: the session has ended")
)

// Config is a module's List.
type Config struct {
	// DB holds Table and ProcessedTable.
	DB *bun.DB
	// Table is the module's revocations table (Migration).
	Table string
	// Consumer is the module's consumer of user.deleted and
	// user.sessions_revoked for the list ("order-revocations"): a consumer
	// group of its own, apart from the module's other consumers.
	Consumer string
	// ProcessedTable is the module's processed-events table
	// (events.ProcessedTableDDL), where Consumer records what it applied.
	ProcessedTable string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives listener errors; nil discards them.
	Logger *slog.Logger
}

// List is a module's list of revoked access tokens. It is safe for
// concurrent use.
type List struct {
	cfg     Config
	streams streams // the module's open streams, by user and session
	recent  recent  // revocations heard by this process, for the race below
}

// New returns the List of cfg.
func New(cfg Config) (*List, error) {
	if cfg.DB == nil || cfg.Table == "" || cfg.Consumer == "" || cfg.ProcessedTable == "" {
		return nil, errors.New("revocation: Config.DB, Table, Consumer and ProcessedTable are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &List{cfg: cfg}, nil
}

// Migration returns the up and down migrations of a module's revocations
// table: its rows' subject is "user:<id>" or "session:<id>", and a row can
// go once its until has passed.
func Migration(table string) (up, down func(context.Context, *bun.DB) error) {
	up = func(ctx context.Context, db *bun.DB) error {
		timestamp := storage.TimestampType(db)
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, stmt := range []string{
				`CREATE TABLE ` + table + ` (
					subject TEXT PRIMARY KEY,
					revoked_at ` + timestamp + ` NOT NULL,
					until ` + timestamp + ` NOT NULL
				)`,
				`CREATE INDEX ` + table + `_until ON ` + table + ` (until)`,
			} {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("revocation: create %s: %w", table, err)
				}
			}
			return nil
		})
	}
	down = func(ctx context.Context, db *bun.DB) error {
		_, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS `+table)
		return err
	}
	return up, down
}

// Subscribe declares the list's subscriptions on the platform's router:
// Consumer records every revocation in Table, exactly once; and this
// process hears each one as it is published (events.Router.Listen), to
// end its open streams of the revoked tokens. Call it before the router
// runs.
func (l *List) Subscribe(r *events.Router) {
	types := []string{events.TypeOf(&userv1.UserDeleted{}), events.TypeOf(&userv1.UserSessionsRevoked{})}
	for _, t := range types {
		r.Subscribe(l.cfg.Consumer, t, l.handle)
	}
	r.Listen(types, l.heard)
}

// Guard is the module's interceptor (rpc.RegisterGuarded): a call of a
// signed-in or admin RPC whose verified caller's token was revoked is
// Unauthenticated; a stream of such a caller ends, Unauthenticated, when
// this process hears of the revocation while it runs. Public RPCs are not
// checked: their answer does not depend on who calls.
func (l *List) Guard() connect.ServerInterceptor {
	return func(next connect.ServerFunc) connect.ServerFunc {
		return func(ctx context.Context, spec connect.Spec, stream connect.ServerStream) error {
			id, ok := identity.FromContext(ctx)
			if !ok || auth.AccessOf(spec) == authv1.Access_ACCESS_PUBLIC {
				return next(ctx, spec, stream)
			}
			if spec.StreamType != connect.StreamTypeUnary {
				// Registered before the check: a revocation heard after it
				// ends the stream, one heard before is found by it.
				var cancel context.CancelCauseFunc
				ctx, cancel = context.WithCancelCause(ctx)
				defer cancel(nil)
				defer l.streams.add(id, cancel)()
			}
			if err := l.Check(ctx, id); err != nil {
				return connectError(err)
			}
			return next(ctx, spec, stream)
		}
	}
}

// Check returns ErrAccountDeleted or ErrSessionEnded when id's token was
// revoked, as far as this module knows: heard by this process, or recorded
// in Table by any replica. Other errors are the database's.
func (l *List) Check(ctx context.Context, id identity.Identity) error {
	now := l.cfg.Now()
	user, session := subjectUser+id.UserID, subjectSession+id.SessionID
	if err := l.recent.check(now, user, session); err != nil {
		return err
	}
	var subjects []string
	err := l.cfg.DB.NewSelect().Table(l.cfg.Table).Column("subject").
		Where("subject IN (?, ?)", user, session).
		Where("until > ?", now.UTC()).
		Scan(ctx, &subjects)
	if err != nil {
		return fmt.Errorf("revocation: check: %w", err)
	}
	if slices.Contains(subjects, user) {
		return ErrAccountDeleted
	}
	if len(subjects) > 0 {
		return ErrSessionEnded
	}
	return nil
}

// connectError is Guard's answer to a Check error.
func connectError(err error) error {
	switch {
	case errors.Is(err, ErrAccountDeleted):
		return connect.NewError(connect.CodeUnauthenticated, "this account has been deleted").WithCause(err)
	case errors.Is(err, ErrSessionEnded):
		return connect.NewError(connect.CodeUnauthenticated, "session has ended: sign in again").WithCause(err)
	default:
		return rpc.Fallback(err)
	}
}

// Subject prefixes of the table's rows.
const (
	subjectUser    = "user:"
	subjectSession = "session:"
)

// errOf is the Check error of a revoked subject.
func errOf(subject string) error {
	if strings.HasPrefix(subject, subjectUser) {
		return ErrAccountDeleted
	}
	return ErrSessionEnded
}

// revocationRow is a row of a List's table.
type revocationRow struct {
	Subject   string    `bun:"subject,pk"`
	RevokedAt time.Time `bun:"revoked_at,notnull"`
	Until     time.Time `bun:"until,notnull"`
}

// subjects returns the subjects env revokes and when it happened, or an
// error for a payload that cannot be read or names nobody.
func subjects(env *eventsv1.Envelope) ([]string, time.Time, error) {
	at := env.GetOccurTime().AsTime()
	switch env.GetType() {
	case events.TypeOf(&userv1.UserDeleted{}):
		var p userv1.UserDeleted
		if err := env.GetPayload().UnmarshalTo(&p); err != nil {
			return nil, at, fmt.Errorf("revocation: %s payload: %w", env.GetType(), err)
		}
		if p.GetUserId() == "" {
			return nil, at, fmt.Errorf("revocation: %s %s without a user id", env.GetType(), env.GetId())
		}
		return []string{subjectUser + p.GetUserId()}, at, nil
	case events.TypeOf(&userv1.UserSessionsRevoked{}):
		var p userv1.UserSessionsRevoked
		if err := env.GetPayload().UnmarshalTo(&p); err != nil {
			return nil, at, fmt.Errorf("revocation: %s payload: %w", env.GetType(), err)
		}
		out := make([]string, 0, len(p.GetSessionIds()))
		for _, id := range p.GetSessionIds() {
			if id != "" {
				out = append(out, subjectSession+id)
			}
		}
		if len(out) == 0 {
			return nil, at, fmt.Errorf("revocation: %s %s without a session id", env.GetType(), env.GetId())
		}
		return out, at, nil
	default:
		return nil, at, fmt.Errorf("revocation: unexpected event type %q", env.GetType())
	}
}

// handle records the revocations of env in Table, once, and drops the
// rows whose time has passed.
func (l *List) handle(ctx context.Context, env *eventsv1.Envelope) error {
	subs, at, err := subjects(env)
	if err != nil {
		return err
	}
	_, err = events.Once(ctx, l.cfg.DB, l.cfg.ProcessedTable, l.cfg.Consumer, env, func(ctx context.Context, tx bun.Tx) error {
		rows := make([]revocationRow, len(subs))
		for i, s := range subs {
			rows[i] = revocationRow{Subject: s, RevokedAt: at.UTC(), Until: at.Add(Retention).UTC()}
		}
		if _, err := tx.NewInsert().Model(&rows).ModelTableExpr(l.cfg.Table).
			On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
			return fmt.Errorf("revocation: record: %w", err)
		}
		if _, err := tx.NewDelete().TableExpr(l.cfg.Table).
			Where("until <= ?", l.cfg.Now().UTC()).Exec(ctx); err != nil {
			return fmt.Errorf("revocation: purge: %w", err)
		}
		return nil
	})
	return err
}

// heard ends this process's open streams of the tokens env revokes, and
// remembers the revocation: a stream that starts before Consumer has
// recorded it is refused all the same.
func (l *List) heard(ctx context.Context, env *eventsv1.Envelope) {
	subs, at, err := subjects(env)
	if err != nil {
		l.cfg.Logger.WarnContext(ctx, "revocation not understood", "event", env.GetId(), "error", err)
		return
	}
	l.recent.add(l.cfg.Now(), at.Add(Retention), subs)
	for _, s := range subs {
		l.streams.end(s, connectError(errOf(s)))
	}
}
