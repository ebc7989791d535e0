package storagetest

import (
	"context"
	"database/sql"
	"os"
	"testing"

	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// TestMigratedDSNFromTemplate: under Main, each migrated database is an
// independent copy of one template with the migrations applied, on every
// engine; the templates are gone after dropAll.
func TestMigratedDSNFromTemplate(t *testing.T) {
	t.Parallel()
	for _, engine := range Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			a, b := Open(t, engine, events.Migrations()), Open(t, engine, events.Migrations())
			for _, db := range []interface {
				QueryRowContext(context.Context, string, ...any) *sql.Row
			}{a, b} {
				var applied int
				if err := db.QueryRowContext(ctx, "SELECT count(*) FROM events_migrations").Scan(&applied); err != nil || applied == 0 {
					t.Fatalf("migrations applied = %d, %v; want the events migrations", applied, err)
				}
			}
			if _, err := a.ExecContext(ctx, `INSERT INTO events_dead_letters (id, consumer, type, envelope, reason, created_at)
				VALUES ('x', 'c', 't', 'e', 'r', CURRENT_TIMESTAMP)`); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := b.QueryRowContext(ctx, "SELECT count(*) FROM events_dead_letters").Scan(&n); err != nil || n != 0 {
				t.Errorf("a row written to one copy is in the other: %d, %v", n, err)
			}
			templates.mu.Lock()
			tpl, ok := templates.byKey[string(engine)+"|events"]
			templates.mu.Unlock()
			if !ok {
				t.Fatalf("no %s template was made: %v", engine, templates.byKey)
			}
			if engine == storage.Postgres {
				var isTemplate bool
				if err := adminQueryRow(t, "SELECT datistemplate FROM pg_database WHERE datname = $1", tpl).Scan(&isTemplate); err != nil || !isTemplate {
					t.Errorf("template %s: datistemplate = %v, %v", tpl, isTemplate, err)
				}
			}
		})
	}
}

// TestDropTemplates: dropAll removes the template databases and files.
func TestDropTemplates(t *testing.T) {
	t.Parallel()
	s := &templateSet{enabled: true, byKey: map[string]string{}}
	var pg string
	for _, engine := range Engines(t) {
		tpl, ok := s.get(t, engine, []storage.MigrationSet{events.Migrations()})
		if !ok {
			t.Fatal("templates not enabled")
		}
		if engine == storage.Postgres {
			pg = tpl
		}
	}
	dir := s.dir
	if err := s.dropAll(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("SQLite template directory %s after dropAll: %v", dir, err)
	}
	if pg != "" {
		var n int
		if err := adminQueryRow(t, "SELECT count(*) FROM pg_database WHERE datname = $1", pg).Scan(&n); err != nil || n != 0 {
			t.Errorf("Postgres template %s after dropAll: %d, %v", pg, n, err)
		}
	}
}

func adminQueryRow(t *testing.T, query string, args ...any) *sql.Row {
	t.Helper()
	db, err := sql.Open("pgx", adminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db.QueryRowContext(t.Context(), query, args...)
}
