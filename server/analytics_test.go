package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"github.com/google/uuid"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	"github.com/harnesshero/platform/gen/harness/analytics/v1/analyticsv1connect"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
	"github.com/harnesshero/platform/server"
)

// TestAnalyticsFromEvents: designs and users made through the API reach
// the analytics module through the outbox and the bus — in process, over
// Redis Streams, and from an extracted builder service over Redis — and its
// numbers equal what was written.
func TestAnalyticsFromEvents(t *testing.T) {
	t.Parallel()
	wirings := map[string]func(t *testing.T, engine storage.Engine) (platform *instance, designs connect.Transport){
		"InProcessBus": func(t *testing.T, engine storage.Engine) (*instance, connect.Transport) {
			in := start(t, engine, nil)
			return in, in.httpTransport()
		},
		"RedisStreams": func(t *testing.T, engine storage.Engine) (*instance, connect.Transport) {
			url, pfx := storagetest.RedisURL(t), "test-"+uuid.NewString()[:8]+":"
			in := start(t, engine, func(c *server.Config) { c.RedisURL, c.EventStreamPrefix = url, pfx })
			return in, in.httpTransport()
		},
		"ExtractedBuilderOverRedis": func(t *testing.T, engine storage.Engine) (*instance, connect.Transport) {
			url, pfx := storagetest.RedisURL(t), "test-"+uuid.NewString()[:8]+":"
			keys := t.TempDir()
			if _, err := auth.LoadOrCreateKeyPair(keys); err != nil {
				t.Fatal(err)
			}
			builderSvc := start(t, engine, func(c *server.Config) {
				c.Role, c.AccessTokenPublicKeyFile = server.RoleBuilder, auth.PublicKeyPath(keys)
				c.RedisURL, c.EventStreamPrefix = url, pfx
			})
			platform := start(t, engine, func(c *server.Config) {
				c.ModuleURLs, c.AccessTokenPrivateKeyFile = map[string]string{"builder": builderSvc.hs.URL}, auth.PrivateKeyPath(keys)
				c.RedisURL, c.EventStreamPrefix = url, pfx
			})
			return platform, platform.httpTransport()
		},
	}
	for _, engine := range storagetest.Engines(t) {
		for name, wire := range wirings {
			t.Run(string(engine)+"/"+name, func(t *testing.T) {
				t.Parallel()
				platform, tr := wire(t, engine)
				alice := signUp(t, tr)
				admin := signUpAdmin(t, platform, tr)
				designs := as(tr, alice).Designs
				styles := []builderv1.Style{builderv1.Style_STYLE_VEST, builderv1.Style_STYLE_VEST, builderv1.Style_STYLE_NO_PULL}
				var ids []string
				for i := range 12 {
					d := buildertest.Basic()
					d.Style = styles[i%len(styles)]
					res, err := designs.CreateDesign(t.Context(), &builderv1.CreateDesignRequest{Design: d})
					if err != nil {
						t.Fatalf("CreateDesign: %v", err)
					}
					ids = append(ids, res.GetDesign().GetId())
				}
				for _, id := range ids[:3] {
					if _, err := designs.DeleteDesign(t.Context(), &builderv1.DeleteDesignRequest{Id: id}); err != nil {
						t.Fatalf("DeleteDesign: %v", err)
					}
				}
				stats := analyticsv1connect.NewAnalyticsServiceClient(connect.NewClient(tr, auth.BearerToken(admin.token)))
				today := time.Now().UTC().Format(time.DateOnly)
				day := &analyticsv1.DateRange{StartDate: today, EndDate: today}
				testwait.Until(t, 30*time.Second, func() error {
					res, err := stats.GetDailyStats(t.Context(), &analyticsv1.GetDailyStatsRequest{Range: day})
					if err != nil {
						t.Fatalf("GetDailyStats: %v", err)
					}
					if got := res.GetDays()[0]; got.GetDesignsCreated() != 12 || got.GetDesignsDeleted() != 3 || got.GetUsersRegistered() != 2 {
						return fmt.Errorf("analytics for today = %v; want 12 designs created, 3 deleted, 2 users", got)
					}
					return nil
				})
				top, err := stats.GetTopChoices(t.Context(), &analyticsv1.GetTopChoicesRequest{Range: day})
				if err != nil {
					t.Fatalf("GetTopChoices: %v", err)
				}
				if s := top.GetStyles(); len(s) != 2 || s[0].GetStyle() != builderv1.Style_STYLE_VEST || s[0].GetCount() != 8 || s[1].GetCount() != 4 {
					t.Errorf("top styles = %v, want VEST 8, NO_PULL 4", s)
				}
				ev, err := stats.GetEventStats(t.Context(), &analyticsv1.GetEventStatsRequest{})
				if err != nil {
					t.Fatalf("GetEventStats: %v", err)
				}
				if len(ev.GetConsumers()) != 1 || ev.GetConsumers()[0].GetProcessed() < 2 {
					t.Errorf("event stats = %v", ev)
				}
				if name != "InProcessBus" {
					// Each module's stream has the analytics group, and it
					// drains (the last acknowledgement may trail the count).
					testwait.Until(t, 30*time.Second, func() error {
						ev, err := stats.GetEventStats(t.Context(), &analyticsv1.GetEventStatsRequest{})
						if err != nil {
							t.Fatalf("GetEventStats: %v", err)
						}
						for _, g := range ev.GetGroups() {
							if strings.HasSuffix(g.GetStream(), "events.design") && g.GetConsumerGroup() == "analytics" {
								if g.GetPending() != 0 || g.GetLag() != 0 {
									return fmt.Errorf("analytics group on %s: %d pending, lag %d", g.GetStream(), g.GetPending(), g.GetLag())
								}
								return nil
							}
						}
						return fmt.Errorf("no analytics group on the design stream in %v", ev.GetGroups())
					})
				}
				// A non-admin may not read analytics.
				_, err = analyticsv1connect.NewAnalyticsServiceClient(connect.NewClient(tr, auth.BearerToken(alice.token))).
					GetDailyStats(t.Context(), &analyticsv1.GetDailyStatsRequest{Range: day})
				if connect.CodeOf(err) != connect.CodePermissionDenied {
					t.Errorf("user GetDailyStats: %v, want permission_denied", err)
				}
			})
		}
	}
}

// TestReplayEvents: the analytics consumer loses its data; `harness events
// replay` re-delivers the recorded events and the numbers come back, and a
// second replay changes nothing.
func TestReplayEvents(t *testing.T) {
	t.Parallel()
	in := start(t, storage.SQLite, nil)
	tr := in.httpTransport()
	alice, admin := signUp(t, tr), signUpAdmin(t, in, tr)
	for range 5 {
		if _, err := as(tr, alice).Designs.CreateDesign(t.Context(), &builderv1.CreateDesignRequest{Design: buildertest.Basic()}); err != nil {
			t.Fatal(err)
		}
	}
	stats := analyticsv1connect.NewAnalyticsServiceClient(connect.NewClient(tr, auth.BearerToken(admin.token)))
	today := time.Now().UTC().Format(time.DateOnly)
	created := func() int64 {
		res, err := stats.GetDailyStats(t.Context(), &analyticsv1.GetDailyStatsRequest{Range: &analyticsv1.DateRange{StartDate: today, EndDate: today}})
		if err != nil {
			t.Fatal(err)
		}
		return res.GetDays()[0].GetDesignsCreated()
	}
	testwait.Until(t, 30*time.Second, func() error {
		if got := created(); got != 5 {
			return fmt.Errorf("designs created = %d, want 5", got)
		}
		return nil
	})
	// The consumer's data is lost (its tables emptied behind its back).
	db, err := storage.Open(t.Context(), in.cfg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, table := range []string{"analytics_daily", "analytics_designs", "analytics_processed_events"} {
		if _, err := db.ExecContext(t.Context(), "DELETE FROM "+table); err != nil {
			t.Fatal(err)
		}
	}
	if got := created(); got != 0 {
		t.Fatalf("after the loss: %d", got)
	}
	logger := slogDiscard()
	for range 2 {
		n, err := server.ReplayEvents(t.Context(), in.cfg, logger, "analytics", time.Time{}, time.Now().Add(time.Minute))
		if err != nil || n < 7 { // 5 designs + 2 users
			t.Fatalf("ReplayEvents = %d, %v", n, err)
		}
		if got := created(); got != 5 {
			t.Errorf("after replay: designs created = %d, want 5", got)
		}
	}
	if _, err := server.ReplayEvents(t.Context(), in.cfg, logger, "nobody", time.Time{}, time.Now()); err == nil {
		t.Error("replay to an unknown consumer succeeded")
	}
}
