package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/harnesshero/platform/platform/storage"
)

// Main runs a package's tests (m.Run) with template databases: the first
// test asking for a migrated database (Open, MigratedDSN) migrates a
// template once per engine and set of migrations, and each test then gets
// a copy of it — CREATE DATABASE … TEMPLATE on Postgres, a file copy on
// SQLite — instead of migrating its own. Main drops the templates when the
// tests are done and returns m.Run's code. Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }
//
// Without Main every test migrates its own database: the same schema,
// slower (about half a second a database on Postgres under load).
func Main(m *testing.M) int {
	templates.mu.Lock()
	templates.enabled = true
	templates.mu.Unlock()
	code := m.Run()
	if err := templates.dropAll(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// MigratedDSN returns the URL (on SQLite the path) of a new database on
// engine with sets applied, dropped when the test ends.
func MigratedDSN(t testing.TB, engine storage.Engine, sets ...storage.MigrationSet) string {
	t.Helper()
	tpl, ok := templates.get(t, engine, sets)
	if !ok {
		dsn := DSN(t, engine)
		migrateDSN(t, dsn, sets)
		return dsn
	}
	switch engine {
	case storage.SQLite:
		dsn := filepath.Join(t.TempDir(), "test.db")
		if err := copyFile(tpl, dsn); err != nil {
			t.Fatalf("storagetest: copy the SQLite template: %v", err)
		}
		return dsn
	default:
		return newPostgresDatabaseFrom(t, tpl)
	}
}

// migrateDSN applies sets to the database at dsn.
func migrateDSN(t testing.TB, dsn string, sets []storage.MigrationSet) {
	t.Helper()
	if err := migrateAt(dsn, sets); err != nil {
		t.Fatalf("storagetest: %v", err)
	}
}

func migrateAt(dsn string, sets []storage.MigrationSet) error {
	ctx := context.Background()
	db, err := storage.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return storage.Migrate(ctx, db, slog.New(slog.DiscardHandler), sets...)
}

// templates are the migrated databases of this test process, by engine
// and migration sets.
var templates = &templateSet{byKey: map[string]string{}}

type templateSet struct {
	mu      sync.Mutex
	enabled bool              // Main is running the tests
	byKey   map[string]string // key → SQLite path or Postgres database name
	dir     string            // of the SQLite templates
	pg      []string          // Postgres templates, to drop
}

// get returns the template of engine and sets, migrating it on first use;
// false when Main is not running the tests.
func (s *templateSet) get(t testing.TB, engine storage.Engine, sets []storage.MigrationSet) (string, bool) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.enabled {
		return "", false
	}
	names := make([]string, len(sets))
	for i, set := range sets {
		names[i] = set.Module
	}
	key := string(engine) + "|" + strings.Join(names, ",")
	if tpl, ok := s.byKey[key]; ok {
		return tpl, true
	}
	var tpl string
	switch engine {
	case storage.SQLite:
		if s.dir == "" {
			dir, err := os.MkdirTemp("", "storagetest-templates-")
			if err != nil {
				t.Fatalf("storagetest: %v", err)
			}
			s.dir = dir
		}
		tpl = filepath.Join(s.dir, fmt.Sprintf("template-%d.db", len(s.byKey)))
		migrateDSN(t, tpl, sets)
		// Closed, the database is one file: the WAL is checkpointed away.
		if _, err := os.Stat(tpl + "-wal"); err == nil {
			t.Fatalf("storagetest: the SQLite template %s kept its WAL after closing", tpl)
		}
	case storage.Postgres:
		name := "hh_test_tpl_" + strings.ToLower(rand.Text()[:16])
		admin := adminURL(t)
		if err := adminExec(admin, "CREATE DATABASE "+name); err != nil {
			t.Fatalf("storagetest: create template database: %v", err)
		}
		s.pg = append(s.pg, name)
		migrateDSN(t, databaseURL(t, admin, name), sets)
		// No one may connect to a template while it is copied.
		if err := adminExec(admin, "ALTER DATABASE "+name+" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"); err != nil {
			t.Fatalf("storagetest: mark template database: %v", err)
		}
		tpl = name
	default:
		t.Fatalf("storagetest: unknown engine %q", engine)
	}
	s.byKey[key] = tpl
	return tpl, true
}

// dropAll removes the templates.
func (s *templateSet) dropAll() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []string
	if s.dir != "" {
		if err := os.RemoveAll(s.dir); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if admin := os.Getenv(PostgresEnv); admin != "" {
		for _, name := range s.pg {
			if err := adminExec(admin, "ALTER DATABASE "+name+" WITH IS_TEMPLATE false"); err != nil {
				errs = append(errs, err.Error())
				continue
			}
			if err := adminExec(admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
				errs = append(errs, err.Error())
			}
		}
	}
	s.byKey, s.dir, s.pg = map[string]string{}, "", nil
	if len(errs) > 0 {
		return fmt.Errorf("storagetest: drop templates: %s", strings.Join(errs, "; "))
	}
	return nil
}

// adminURL returns the Postgres admin URL, failing t without one.
func adminURL(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(PostgresEnv)
	if admin == "" {
		t.Fatalf("storagetest: %s is not set", PostgresEnv)
	}
	return admin
}

// adminExec runs one statement on the admin connection.
func adminExec(admin, stmt string) error {
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return fmt.Errorf("open postgres admin: %w", err)
	}
	defer db.Close()
	_, err = db.Exec(stmt)
	return err
}

// databaseURL is admin with its database replaced by name.
func databaseURL(t testing.TB, admin, name string) string {
	t.Helper()
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("storagetest: parse %s: %v", PostgresEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
