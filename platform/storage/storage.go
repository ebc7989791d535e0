// Package storage opens the platform's database with bun and runs each
// module's migrations. SQLite (a pure-Go driver, no cgo) is the embedded
// default; a postgres:// URL selects Postgres through pgx.
//
// The same bun code serves both engines; where they differ (DDL types, error
// codes) the difference is written out per engine in this package or in a
// module's migrations, never hidden.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Engine names a database engine.
type Engine string

// The supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// EngineOf reports the engine behind db.
func EngineOf(db bun.IDB) Engine {
	if db.Dialect().Name() == dialect.PG {
		return Postgres
	}
	return SQLite
}

// Open opens the database named by dsn and checks that it answers.
//
// dsn is a postgres:// or postgresql:// URL for Postgres; anything else is a
// SQLite file path (optionally prefixed with "sqlite:" or "file:"), whose
// directory is created when missing. SQLite runs in WAL mode with a busy
// timeout and immediate write transactions, so concurrent writers wait for
// each other instead of failing. Transactions of the returned database
// support AfterCommit.
//
// Every statement and transaction is bounded by a timeout
// (DefaultQueryTimeout unless WithQueryTimeout says otherwise), and a
// Postgres connection attempt by connect_timeout (DefaultConnectTimeout
// unless the URL sets it), so a hung database fails calls instead of
// holding them. Errors that say the database is unavailable are told
// apart by Classify.
func Open(ctx context.Context, dsn string, opts ...Option) (*bun.DB, error) {
	o := options{queryTimeout: DefaultQueryTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	var db *bun.DB
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		dsn, err := withConnectTimeout(dsn)
		if err != nil {
			return nil, err
		}
		sqldb, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("storage: open postgres: %w", err)
		}
		sqldb.SetMaxOpenConns(20)
		sqldb.SetMaxIdleConns(10)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		db = bun.NewDB(sqldb, pgdialect.New()).WithQueryHook(commitHook{})
	default:
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
		if path == "" {
			return nil, errors.New("storage: empty database path")
		}
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("storage: create database directory: %w", err)
		}
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Set("_txlock", "immediate")
		sqldb, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("storage: open sqlite: %w", err)
		}
		sqldb.SetMaxOpenConns(8)
		db = bun.NewDB(sqldb, sqlitedialect.New()).WithQueryHook(commitHook{})
	}
	db = db.WithQueryHook(timeoutHook{timeout: o.queryTimeout})
	db = withTracing(db, o.tracerProvider)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := ping(pingCtx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("storage: ping %s: %w", EngineOf(db), err)
	}
	return db, nil
}

// DefaultConnectTimeout bounds a Postgres connection attempt (dial and
// start-up) when the URL sets no connect_timeout.
const DefaultConnectTimeout = 5 * time.Second

// DefaultQueryExecMode is how pgx sends a statement when the URL does not
// say (default_query_exec_mode): as the simple protocol's one message. bun
// writes every value into the SQL text itself, so each INSERT is a text
// never seen before, and pgx's own default (cache_statement) would prepare
// it — a second round trip — and churn its statement cache, for a
// statement run once (ADR 0026).
const DefaultQueryExecMode = "simple_protocol"

// withConnectTimeout adds connect_timeout, and default_query_exec_mode
// (DefaultQueryExecMode), to a Postgres URL that has none.
func withConnectTimeout(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("storage: parse postgres URL: %w", err)
	}
	q := u.Query()
	if q.Get("connect_timeout") != "" && q.Get("default_query_exec_mode") != "" {
		return dsn, nil
	}
	if q.Get("connect_timeout") == "" {
		q.Set("connect_timeout", strconv.Itoa(int(DefaultConnectTimeout/time.Second)))
	}
	if q.Get("default_query_exec_mode") == "" {
		q.Set("default_query_exec_mode", DefaultQueryExecMode)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// ping checks that db answers. A SQLite file being switched to WAL by
// another process (two services starting together on one file) is busy
// for a moment, without the busy timeout applying: wait for it.
func ping(ctx context.Context, db *bun.DB) error {
	for {
		err := db.PingContext(ctx)
		if err == nil || !isBusy(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Redact returns dsn with any password masked, for logs.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// TimestampType is the column type migrations use for times: a real
// time-zoned timestamp on Postgres, bun's text form on SQLite.
func TimestampType(db bun.IDB) string {
	if EngineOf(db) == Postgres {
		return "TIMESTAMPTZ"
	}
	return "TIMESTAMP"
}
