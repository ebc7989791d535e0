package storage_test

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestMigrateConcurrently: processes starting together on one database
// (the platform and an extracted service) all migrate without error, and
// each migration runs once.
func TestMigrateConcurrently(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			dsn := storagetest.DSN(t, engine)
			var runs atomic.Int32
			migrations := onceMigrations(&runs)
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Go(func() {
					db, err := storage.Open(t.Context(), dsn)
					if err != nil {
						errs[i] = err
						return
					}
					defer db.Close()
					errs[i] = storage.Migrate(t.Context(), db, slog.New(slog.DiscardHandler), storage.MigrationSet{Module: "t", Migrations: migrations})
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("process %d: %v", i, err)
				}
			}
			if n := runs.Load(); n != 1 {
				t.Errorf("the migration ran %d times, want 1", n)
			}
		})
	}
}
