// Package storagetest gives tests a fresh, migrated database on every
// engine the machine offers — SQLite always, Postgres when
// HARNESS_TEST_POSTGRES_URL names a server — and the test Redis
// (HARNESS_TEST_REDIS_URL). Under CI (the CI variable set) a missing
// Postgres or Redis fails the test instead of skipping it.
package storagetest

import (
	"context"
	"crypto/rand"
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

// Open opens a new database on engine with the given migrations applied
// (a copy of a template under Main). It is closed when the test ends.
func Open(t testing.TB, engine storage.Engine, sets ...storage.MigrationSet) *bun.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), MigratedDSN(t, engine, sets...))
	if err != nil {
		t.Fatalf("storagetest: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// newPostgresDatabase creates an empty database, dropped when the test
// ends, and returns its URL.
func newPostgresDatabase(t testing.TB) string {
	t.Helper()
	return newPostgresDatabaseFrom(t, "")
}

// newPostgresDatabaseFrom creates a database as a copy of template (""
// for an empty one), dropped when the test ends, and returns its URL.
func newPostgresDatabaseFrom(t testing.TB, template string) string {
	t.Helper()
	admin := adminURL(t)
	name := "hh_test_" + strings.ToLower(rand.Text()[:16])
	stmt := "CREATE DATABASE " + name
	if template != "" {
		stmt += " TEMPLATE " + template
	}
	if err := adminExec(admin, stmt); err != nil {
		t.Fatalf("storagetest: create database: %v", err)
	}
	t.Cleanup(func() {
		if err := adminExec(admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("storagetest: drop database %s: %v", name, err)
		}
	})
	return databaseURL(t, admin, name)
}
