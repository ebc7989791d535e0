package storage

import (
	"context"
	"errors"
	"time"

	"github.com/uptrace/bun"
	"go.opentelemetry.io/otel/trace"
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
	queryTimeout   time.Duration
	tracerProvider trace.TracerProvider // nil: no query spans (WithTracerProvider)
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

// ErrQueryTimeout is the error of a statement or transaction cut by the
// storage timeout (the caller's own deadline not being the cause). It
// matches both ErrUnavailable and context.DeadlineExceeded with errors.Is.
var ErrQueryTimeout error = queryTimeoutError{}

type queryTimeoutError struct{}

func (queryTimeoutError) Error() string { return "storage: the database did not answer in time" }

// Is reports ErrQueryTimeout as ErrUnavailable and as
// context.DeadlineExceeded.
func (queryTimeoutError) Is(target error) bool {
	return target == ErrUnavailable || target == context.DeadlineExceeded
}

// Timeout reports true, as context.DeadlineExceeded does.
func (queryTimeoutError) Timeout() bool { return true }

// errTimeoutCause is the cause of a storage deadline.
var errTimeoutCause = errors.New("storage: query timeout")

// timeoutCtx is a context with the storage deadline whose Err tells that
// deadline apart: drivers and database/sql return ctx.Err() for a call
// cut by its context, so the storage timeout reads as ErrQueryTimeout
// while a caller's own deadline still reads as context.DeadlineExceeded.
// Done, Value and Deadline are the inner context's, so the context
// package's fast paths still apply to children of it.
type timeoutCtx struct{ context.Context }

func (c timeoutCtx) Err() error {
	err := c.Context.Err()
	if err == context.DeadlineExceeded && errors.Is(context.Cause(c.Context), errTimeoutCause) {
		return ErrQueryTimeout
	}
	return err
}

// withTimeout returns ctx bounded by d, with the storage timeout's Err.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	inner, cancel := context.WithTimeoutCause(ctx, d, errTimeoutCause)
	return timeoutCtx{inner}, cancel
}

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
		ctx, cancel := withTimeout(ctx, d)
		return context.WithValue(ctx, txCancelKey{}, cancel)
	case event.IQuery == nil:
		return ctx
	}
	ctx, cancel := withTimeout(ctx, d)
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
