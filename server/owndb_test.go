package server_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	"github.com/harnesshero/platform/gen/harness/analytics/v1/analyticsv1connect"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/server"
)

// TestModuleOwnDatabase: one process with the analytics module on a
// SQLite database of its own (ADR 0030). The builder's design.created
// leaves the shared database's outbox and is counted in the analytics
// database; each database holds its modules' tables and an outbox, and
// the event metrics sum both outboxes.
func TestModuleOwnDatabase(t *testing.T) {
	t.Parallel()
	analyticsDB := filepath.Join(t.TempDir(), "analytics.db")
	in := start(t, storage.SQLite, func(c *server.Config) {
		c.ModuleDatabaseURLs = map[string]string{"analytics": analyticsDB}
	})
	tr := in.httpTransport()
	admin := signUpAdmin(t, in, tr)
	alice := signUp(t, tr)
	if _, err := as(tr, alice).Designs.CreateDesign(t.Context(), &builderv1.CreateDesignRequest{Name: "own", Design: buildertest.Basic()}); err != nil {
		t.Fatalf("CreateDesign: %v", err)
	}
	stats := analyticsv1connect.NewAnalyticsServiceClient(connect.NewClient(tr, auth.BearerToken(admin.token)))
	today := time.Now().UTC().Format(time.DateOnly)
	testwait.Until(t, 30*time.Second, func() error {
		res, err := stats.GetDailyStats(t.Context(), &analyticsv1.GetDailyStatsRequest{Range: &analyticsv1.DateRange{StartDate: today, EndDate: today}})
		if err != nil {
			t.Fatalf("GetDailyStats: %v", err)
		}
		if d := res.GetDays()[0]; d.GetDesignsCreated() != 1 || d.GetUsersRegistered() != 2 {
			return fmt.Errorf("analytics counts %v, want 1 design and 2 users", d)
		}
		return nil
	})

	for dsn, want := range map[string]struct{ has, hasNot string }{
		in.cfg.DSN(): {has: "builder_designs", hasNot: "analytics_daily"},
		analyticsDB:  {has: "analytics_daily", hasNot: "builder_designs"},
	} {
		tables := sqliteTables(t, dsn)
		if !slices.Contains(tables, want.has) || slices.Contains(tables, want.hasNot) || !slices.Contains(tables, "events_outbox") {
			t.Errorf("%s holds %v: want %s and an outbox, not %s", filepath.Base(dsn), tables, want.has, want.hasNot)
		}
	}
	got := scrape(t, in.hs.URL)
	if value(got, "harness_outbox_pending_events", nil) < 0 {
		t.Error("no harness_outbox_pending_events")
	}
	if value(got, "go_sql_open_connections", map[string]string{"db_name": "analytics"}) < 0 {
		t.Error("no pool metrics of the analytics database (db_name=analytics)")
	}
}

// sqliteTables lists the tables of the SQLite database at path.
func sqliteTables(t *testing.T, path string) []string {
	t.Helper()
	db, err := storage.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables []string
	if err := db.NewRaw("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").Scan(t.Context(), &tables); err != nil {
		t.Fatal(err)
	}
	for i, name := range tables {
		tables[i] = strings.TrimSpace(name)
	}
	return tables
}
