package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestQueryTimeout: a statement and a transaction that outlast the query
// timeout are cut, and the error reads as ErrUnavailable; work within it,
// and work given a longer timeout with storage.WithTimeout, commits.
func TestQueryTimeout(t *testing.T) {
	t.Parallel()
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			const timeout = 300 * time.Millisecond
			db, err := storage.Open(t.Context(), storagetest.DSN(t, engine), storage.WithQueryTimeout(timeout))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			if _, err := db.NewRaw("CREATE TABLE kv (k TEXT PRIMARY KEY)").Exec(t.Context()); err != nil {
				t.Fatal(err)
			}
			insert := func(ctx context.Context, tx bun.IDB, k string) error {
				_, err := tx.NewRaw("INSERT INTO kv (k) VALUES (?)", k).Exec(ctx)
				return err
			}
			// Transactions within the timeout commit, one after another,
			// and a released deadline does not cut the next one.
			for _, k := range []string{"a", "b", "c"} {
				if err := db.RunInTx(t.Context(), nil, func(ctx context.Context, tx bun.Tx) error { return insert(ctx, tx, k) }); err != nil {
					t.Fatalf("transaction %s: %v", k, err)
				}
			}
			// A transaction held open past the timeout is cut.
			err = db.RunInTx(t.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
				select {
				case <-ctx.Done():
				case <-time.After(10 * timeout):
					t.Error("the transaction's context outlived the timeout")
				}
				return insert(ctx, tx, "late")
			})
			if !errors.Is(storage.Classify(err), storage.ErrUnavailable) {
				t.Errorf("transaction past the timeout = %v, want ErrUnavailable", err)
			}
			// A slow statement is cut, and reads as the database unavailable.
			if engine == storage.Postgres {
				started := time.Now()
				var s string
				err := db.NewRaw("SELECT pg_sleep(5)::text").Scan(t.Context(), &s)
				if elapsed := time.Since(started); elapsed > 3*timeout {
					t.Errorf("slow statement took %v, want cut at %v", elapsed, timeout)
				}
				if !errors.Is(storage.Classify(err), storage.ErrUnavailable) {
					t.Errorf("slow statement = %v, want ErrUnavailable", err)
				}
				// The caller's own deadline is not the database's failure.
				ctx, cancel := context.WithTimeout(t.Context(), timeout/3)
				defer cancel()
				err = db.NewRaw("SELECT pg_sleep(5)::text").Scan(ctx, &s)
				if !errors.Is(err, context.DeadlineExceeded) || errors.Is(storage.Classify(err), storage.ErrUnavailable) {
					t.Errorf("statement past the caller's deadline = %v, want DeadlineExceeded, not ErrUnavailable", err)
				}
				// With a longer timeout for the context it completes.
				if err := db.NewRaw("SELECT pg_sleep(0.5)::text").Scan(storage.WithTimeout(t.Context(), time.Minute), &s); err != nil {
					t.Errorf("statement under WithTimeout: %v", err)
				}
			}
			var n int
			if err := db.NewRaw("SELECT count(*) FROM kv").Scan(t.Context(), &n); err != nil || n != 3 {
				t.Errorf("rows = %d, %v; want 3", n, err)
			}
		})
	}
}
