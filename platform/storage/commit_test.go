package storage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestAfterCommit: a function registered in a transaction runs once, after
// the commit (what the transaction wrote is visible to other connections
// by then), and never when the transaction rolls back.
func TestAfterCommit(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := storagetest.Open(t, engine)
			if _, err := db.ExecContext(t.Context(), "CREATE TABLE things (id INTEGER PRIMARY KEY)"); err != nil {
				t.Fatal(err)
			}
			boom := errors.New("boom")
			for name, c := range map[string]struct {
				fail     error
				wantRuns int
			}{
				"commit":   {nil, 1},
				"rollback": {boom, 0},
			} {
				t.Run(name, func(t *testing.T) {
					if _, err := db.ExecContext(t.Context(), "DELETE FROM things"); err != nil {
						t.Fatal(err)
					}
					runs, seen := 0, -1
					err := db.RunInTx(t.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
						if _, err := tx.ExecContext(ctx, "INSERT INTO things (id) VALUES (1)"); err != nil {
							return err
						}
						for range 3 { // the same key: one run
							if !storage.AfterCommit(ctx, "key", func() {
								runs++
								if err := db.NewRaw("SELECT COUNT(*) FROM things").Scan(context.Background(), &seen); err != nil {
									t.Error(err)
								}
							}) {
								t.Error("AfterCommit in a transaction's context = false")
							}
						}
						return c.fail
					})
					if !errors.Is(err, c.fail) {
						t.Fatalf("RunInTx = %v, want %v", err, c.fail)
					}
					if runs != c.wantRuns {
						t.Errorf("ran %d times, want %d", runs, c.wantRuns)
					}
					if runs > 0 && seen != 1 {
						t.Errorf("another connection saw %d rows when it ran, want the committed 1", seen)
					}
				})
			}
			if storage.AfterCommit(t.Context(), "key", func() { t.Error("ran outside a transaction") }) {
				t.Error("AfterCommit outside a transaction = true")
			}
		})
	}
}
