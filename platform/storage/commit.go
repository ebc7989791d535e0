package storage

import (
	"context"
	"sync"

	"github.com/uptrace/bun"
)

// txCallbacks are the functions to run once one transaction commits.
type txCallbacks struct {
	mu  sync.Mutex
	fns map[any]func()
}

type txCallbacksKey struct{}

// commitHook is the bun query hook behind AfterCommit: at BEGIN it gives
// the transaction's context a place for callbacks (bun hands that context
// to the function of RunInTx and to COMMIT), and after a successful COMMIT
// it runs them.
type commitHook struct{}

func (commitHook) BeforeQuery(ctx context.Context, ev *bun.QueryEvent) context.Context {
	if ev.IQuery == nil && ev.Query == "BEGIN" {
		return context.WithValue(ctx, txCallbacksKey{}, &txCallbacks{})
	}
	return ctx
}

func (commitHook) AfterQuery(ctx context.Context, ev *bun.QueryEvent) {
	if ev.IQuery != nil || ev.Query != "COMMIT" || ev.Err != nil {
		return
	}
	cbs, ok := ctx.Value(txCallbacksKey{}).(*txCallbacks)
	if !ok {
		return
	}
	cbs.mu.Lock()
	fns := cbs.fns
	cbs.fns = nil
	cbs.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// AfterCommit arranges for fn to run once the transaction ctx belongs to
// has committed, after the commit returned (so what the transaction wrote
// is visible to other connections); nothing runs if it rolls back. ctx must
// be the context bun hands to the function of RunInTx (or one derived from
// it) of a database opened by Open. A later call with an equal key in the
// same transaction replaces fn, so that many calls run it once.
//
// It reports whether ctx belongs to such a transaction; when it does not,
// fn is never run.
func AfterCommit(ctx context.Context, key any, fn func()) bool {
	cbs, ok := ctx.Value(txCallbacksKey{}).(*txCallbacks)
	if !ok {
		return false
	}
	cbs.mu.Lock()
	defer cbs.mu.Unlock()
	if cbs.fns == nil {
		cbs.fns = map[any]func(){}
	}
	cbs.fns[key] = fn
	return true
}
