package analytics_test

import (
	"fmt"
	"log/slog"
	"net"
	"testing"

	"github.com/redis/go-redis/v9"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
)

// TestEventStatsRedisDown: with Redis unreachable, GetEventStats answers
// with the outbox's figures and marks the consumer groups unknown, instead
// of failing.
func TestEventStatsRedisDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close() // nothing listens there now
	client := redis.NewClient(&redis.Options{Addr: dead, MaxRetries: -1})
	t.Cleanup(func() { _ = client.Close() })
	bus, err := events.NewRedisBus(client, slog.New(slog.DiscardHandler), events.RedisOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, storage.SQLite, options{groups: bus.Groups})
	for range 3 {
		if _, err := events.Record(t.Context(), e.db, events.Event{
			Type: "user.registered", AggregateID: "u", Payload: &userv1.UserRegistered{UserId: "u"},
		}); err != nil {
			t.Fatal(err)
		}
	}

	res, err := e.client.GetEventStats(t.Context(), &analyticsv1.GetEventStatsRequest{})
	if err != nil {
		t.Fatalf("GetEventStats with Redis down: %v", err)
	}
	if got := fmt.Sprint(res.GetOutboxPending(), res.GetGroupsUnknown(), len(res.GetGroups())); got != "3 true 0" {
		t.Errorf("outbox pending, groups unknown, groups = %s, want 3 true 0", got)
	}
}
