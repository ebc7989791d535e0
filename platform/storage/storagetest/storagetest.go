// Package storagetest gives tests a fresh, migrated database on every
// engine the machine offers — SQLite always, Postgres when
// HARNESS_TEST_POSTGRES_URL names a server — and the test Redis
// (HARNESS_TEST_REDIS_URL). Under CI (the CI variable set) a missing
// Postgres or Redis fails the test instead of skipping it.
package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/storage"
)

// PostgresEnv names the variable holding an admin URL of a Postgres server
// on which tests may create and drop databases.
const PostgresEnv = "HARNESS_TEST_POSTGRES_URL"

// RedisEnv names the variable holding the URL of a Redis the tests may use
// (each test keeps to its own stream prefix).
const RedisEnv = "HARNESS_TEST_REDIS_URL"

// RedisURL returns the test Redis. Without one the test is skipped, and
// under CI it fails.
func RedisURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv(RedisEnv)
	if url == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("storagetest: %s is not set; CI must run the Redis tests", RedisEnv)
		}
		t.Skipf("storagetest: %s not set", RedisEnv)
	}
	return url
}

// Engines lists the engines to run a store suite on. Postgres is included
// when PostgresEnv is set; under CI its absence is a test failure.
func Engines(t testing.TB) []storage.Engine {
	t.Helper()
	engines := []storage.Engine{storage.SQLite}
	if os.Getenv(PostgresEnv) != "" {
		return append(engines, storage.Postgres)
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("storagetest: %s is not set; CI must run the Postgres tests", PostgresEnv)
	}
	t.Logf("storagetest: %s not set: Postgres tests skipped", PostgresEnv)
	return engines
}

// DSN returns the URL of a new, empty database on engine, dropped when the
// test ends.
func DSN(t testing.TB, engine storage.Engine) string {
	t.Helper()
	switch engine {
	case storage.SQLite:
		return filepath.Join(t.TempDir(), "test.db")
	case storage.Postgres:
		return newPostgresDatabase(t)
	default:
		t.Fatalf("storagetest: unknown engine %q", engine)
		return ""
	}
}

// Open opens a new database on engine and applies the given migrations. It
// is closed when the test ends.
func Open(t testing.TB, engine storage.Engine, sets ...storage.MigrationSet) *bun.DB {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, DSN(t, engine))
	if err != nil {
		t.Fatalf("storagetest: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := storage.Migrate(ctx, db, slog.New(slog.DiscardHandler), sets...); err != nil {
		t.Fatalf("storagetest: %v", err)
	}
	return db
}

func newPostgresDatabase(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(PostgresEnv)
	if admin == "" {
		t.Fatalf("storagetest: %s is not set", PostgresEnv)
	}
	adminDB, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("storagetest: open postgres admin: %v", err)
	}
	defer adminDB.Close()
	name := "hh_test_" + strings.ToLower(rand.Text()[:16])
	if _, err := adminDB.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("storagetest: create database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			t.Errorf("storagetest: open postgres admin: %v", err)
			return
		}
		defer db.Close()
		if _, err := db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("storagetest: drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("storagetest: parse %s: %v", PostgresEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}
