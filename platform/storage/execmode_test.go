package storage_test

import (
	"testing"

	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestNoPreparedStatements: on Postgres, statements go as the simple
// protocol's text (storage.DefaultQueryExecMode), so a query whose values
// bun wrote into its text — an INSERT … RETURNING, a SELECT — leaves no
// prepared statement on the connection, however many run; a URL that names
// its own default_query_exec_mode keeps it.
func TestNoPreparedStatements(t *testing.T) {
	t.Parallel()
	if !hasEngine(t, storage.Postgres) {
		t.Skip("Postgres only")
	}
	dsn := storagetest.DSN(t, storage.Postgres)
	for _, tc := range []struct {
		name     string
		dsn      string
		prepared bool
	}{
		{name: "default", dsn: dsn},
		{name: "cache_statement", dsn: dsn + "&default_query_exec_mode=cache_statement", prepared: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := storage.Open(t.Context(), tc.dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			db.SetMaxOpenConns(1) // one session, whose prepared statements are counted
			if _, err := db.NewRaw("CREATE TABLE IF NOT EXISTS prep_" + tc.name + " (k TEXT PRIMARY KEY, n INT)").Exec(t.Context()); err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				var n int
				if err := db.NewRaw("INSERT INTO prep_"+tc.name+" (k, n) VALUES (?, ?) RETURNING n", tc.name+string(rune('a'+i)), i).Scan(t.Context(), &n); err != nil || n != i {
					t.Fatalf("insert returning: %d, %v", n, err)
				}
			}
			var prepared int
			if err := db.NewRaw("SELECT count(*) FROM pg_prepared_statements").Scan(t.Context(), &prepared); err != nil {
				t.Fatal(err)
			}
			if (prepared > 0) != tc.prepared {
				t.Errorf("%d prepared statements on the connection; want some: %v", prepared, tc.prepared)
			}
		})
	}
}

func hasEngine(t *testing.T, want storage.Engine) bool {
	for _, e := range storagetest.Engines(t) {
		if e == want {
			return true
		}
	}
	return false
}
