package server_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"github.com/redis/go-redis/v9"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	"github.com/harnesshero/platform/gen/harness/analytics/v1/analyticsv1connect"
	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
	"github.com/harnesshero/platform/server"
)

// TestRedisDownAtStart: with REDIS_URL naming a Redis that is down, the
// platform starts at once and serves (users register: a database write
// with an event), GetEventStats shows the events waiting in the outbox
// and the groups unknown, and once Redis starts the analytics consumer
// catches up.
func TestRedisDownAtStart(t *testing.T) {
	redisSrv := storagetest.NewRedisServer(t, false) // not started
	began := time.Now()
	in := start(t, storage.SQLite, func(c *server.Config) { c.RedisURL = redisSrv.URL() })
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("the platform took %v to start with Redis down", took)
	}
	tr := in.httpTransport()
	signUp(t, tr)
	admin := signUpAdmin(t, in, tr)
	stats := analyticsv1connect.NewAnalyticsServiceClient(connect.NewClient(tr, auth.BearerToken(admin.token)))

	ev, err := stats.GetEventStats(t.Context(), &analyticsv1.GetEventStatsRequest{})
	if err != nil {
		t.Fatalf("GetEventStats with Redis down: %v", err)
	}
	if ev.GetOutboxPending() < 2 || !ev.GetGroupsUnknown() {
		t.Errorf("event stats with Redis down = %v, want ≥ 2 pending and groups unknown", ev)
	}

	redisSrv.Start()
	today := time.Now().UTC().Format(time.DateOnly)
	waitFor(t, func() bool {
		res, err := stats.GetDailyStats(t.Context(), &analyticsv1.GetDailyStatsRequest{
			Range: &analyticsv1.DateRange{StartDate: today, EndDate: today},
		})
		if err != nil {
			t.Fatalf("GetDailyStats: %v", err)
		}
		return res.GetDays()[0].GetUsersRegistered() == 2
	})
	// The groups are asked of Redis anew on each call: once Redis is back
	// they are known again (a call may still meet the client's reconnect).
	testwait.Until(t, 30*time.Second, func() error {
		ev, err := stats.GetEventStats(t.Context(), &analyticsv1.GetEventStatsRequest{})
		if err != nil {
			t.Fatalf("GetEventStats: %v", err)
		}
		if ev.GetGroupsUnknown() || len(ev.GetGroups()) == 0 {
			return fmt.Errorf("event stats with Redis up = %v; want the groups known", ev)
		}
		return nil
	})
}

// TestRedisRestartedEmpty: Redis restarts without its data while the
// platform runs. The consumers create their groups again, the platform
// delivers again what Redis held, and analytics counts every user once.
func TestRedisRestartedEmpty(t *testing.T) {
	redisSrv := storagetest.NewRedisServer(t, false)
	redisSrv.Start()
	in := start(t, storage.SQLite, func(c *server.Config) { c.RedisURL = redisSrv.URL() })
	tr := in.httpTransport()
	admin := signUpAdmin(t, in, tr)
	stats := analyticsv1connect.NewAnalyticsServiceClient(connect.NewClient(tr, auth.BearerToken(admin.token)))
	today := time.Now().UTC().Format(time.DateOnly)
	users := func() int64 {
		res, err := stats.GetDailyStats(t.Context(), &analyticsv1.GetDailyStatsRequest{
			Range: &analyticsv1.DateRange{StartDate: today, EndDate: today},
		})
		if err != nil {
			t.Fatalf("GetDailyStats: %v", err)
		}
		return res.GetDays()[0].GetUsersRegistered()
	}
	for range 3 {
		signUp(t, tr)
	}
	waitFor(t, func() bool { return users() == 4 })

	opts, err := redis.ParseURL(redisSrv.URL())
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opts)
	defer client.Close()
	redisSrv.Stop()
	redisSrv.Start() // empty
	for range 2 {
		signUp(t, tr)
	}
	// The new Redis comes to hold the 4 users registered before its restart
	// too (the platform delivers them again), the analytics group exists
	// again and reads everything, and counts each user once.
	waitFor(t, func() bool {
		n, err := client.XLen(t.Context(), "events.user").Result()
		if err != nil || n < 6 { // (those delivered before the watch saw the loss may come twice)
			return false
		}
		ev, err := stats.GetEventStats(t.Context(), &analyticsv1.GetEventStatsRequest{})
		if err != nil {
			t.Fatalf("GetEventStats: %v", err)
		}
		for _, g := range ev.GetGroups() {
			if g.GetConsumerGroup() == "analytics" && g.GetStream() == "events.user" {
				return ev.GetOutboxPending() == 0 && g.GetLag() == 0 && g.GetPending() == 0
			}
		}
		return false
	})
	if got := users(); got != 6 {
		t.Errorf("analytics counts %d users, want 6", got)
	}
}

// waitFor waits until cond holds, failing the test after 30 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	testwait.Until(t, 30*time.Second, func() error {
		if !cond() {
			return errors.New("the awaited state did not come")
		}
		return nil
	})
}
