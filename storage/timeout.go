package storage

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// DefaultQueryTimeout bounds each statement, and each transaction from
// BEGIN to COMMIT, unless Open is given WithQueryTimeout or a context
// carries WithTimeout.
const DefaultQueryTimeout = 5 * time.Second

// MigrationTimeout bounds the statements and transactions of Migrate.
const MigrationTimeout = 5 * time.Minute

// Option configures Open.
type Option func(*options)

type options struct {
	queryTimeout time.Duration
}

// WithQueryTimeout sets how long a statement, and a transaction as a whole,
// may take before it is cut with an error that Classify reports as
// ErrUnavailable; zero or less means no timeout. The default is
// DefaultQueryTimeout.
func WithQueryTimeout(d time.Duration) Option {
	return func(o *options) { o.queryTimeout = d }
}

type timeoutKey struct{}

// WithTimeout returns ctx with the storage timeout of the statements and
// transactions run with it set to d, in place of the database's own (for
// migrations and other known-long work); zero or less means none.
func WithTimeout(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, timeoutKey{}, d)
}

type txCancelKey struct{}

// timeoutHook puts a deadline on every query bun builds and runs to the end
// (Scan, Exec, Count) and on every transaction, so a hung database fails a
// call instead of holding it. A statement's deadline is released in
// AfterQuery; a transaction's, taken at BEGIN, binds the whole transaction
// (database/sql rolls it back when it passes) and is released at COMMIT or
// ROLLBACK.
//
// Raw statements (QueryContext, QueryRowContext, ExecContext) get no
// statement deadline of their own, as their rows are read after the hook
// returns; inside a transaction they are bound by the transaction's. For
// the same reason SelectQuery.Rows must not be used on a database with a
// timeout: its rows would close when the hook returns.
type timeoutHook struct {
	timeout time.Duration
}

func (h timeoutHook) timeoutOf(ctx context.Context) time.Duration {
	if d, ok := ctx.Value(timeoutKey{}).(time.Duration); ok {
		return d
	}
	return h.timeout
}

// BeforeQuery implements bun.QueryHook.
func (h timeoutHook) BeforeQuery(ctx context.Context, event *bun.QueryEvent) context.Context {
	d := h.timeoutOf(ctx)
	if d <= 0 {
		return ctx
	}
	switch {
	case event.IQuery == nil && event.Query == "BEGIN":
		ctx, cancel := context.WithTimeout(ctx, d)
		return context.WithValue(ctx, txCancelKey{}, cancel)
	case event.IQuery == nil:
		return ctx
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	if event.Stash == nil {
		event.Stash = make(map[any]any, 1)
	}
	event.Stash[timeoutKey{}] = cancel
	return ctx
}

// AfterQuery implements bun.QueryHook.
func (h timeoutHook) AfterQuery(ctx context.Context, event *bun.QueryEvent) {
	if cancel, ok := event.Stash[timeoutKey{}].(context.CancelFunc); ok {
		cancel()
		return
	}
	if event.IQuery != nil {
		return
	}
	switch {
	case event.Query == "BEGIN" && event.Err != nil,
		event.Query == "COMMIT", event.Query == "ROLLBACK":
		if cancel, ok := ctx.Value(txCancelKey{}).(context.CancelFunc); ok {
			cancel()
		}
	}
}
