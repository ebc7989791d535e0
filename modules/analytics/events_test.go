package analytics_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	analyticsv1 "github.com/harnesshero/platform/gen/harness/analytics/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// acceptAll is a bus that accepts every message and delivers none.
type acceptAll struct{}

func (acceptAll) Publish(string, ...*message.Message) error { return nil }
func (acceptAll) Close() error                              { return nil }

// testEventStats reads the outbox of a database of its own (Deps.OutboxDB)
// and the module's consumer progress.
func testEventStats(t *testing.T, engine storage.Engine) {
	ctx := t.Context()
	outbox := storagetest.Open(t, engine, events.Migrations())
	e := newEnv(t, engine, options{outbox: outbox})

	res, err := e.client.GetEventStats(ctx, &analyticsv1.GetEventStatsRequest{})
	if err != nil {
		t.Fatalf("GetEventStats: %v", err)
	}
	if res.GetOutboxPending() != 0 || res.GetOutboxDelivered() != 0 || res.GetOldestPendingTime() != nil ||
		len(res.GetConsumers()) != 0 || res.GetBus() != "in-process" {
		t.Errorf("empty pipeline: %v", res)
	}

	var recorded []time.Time
	for range 3 {
		env, err := events.Record(ctx, outbox, events.Event{
			Type: "user.registered", AggregateID: uuid.NewString(), Payload: &userv1.UserRegistered{},
		})
		if err != nil {
			t.Fatal(err)
		}
		recorded = append(recorded, env.GetOccurTime().AsTime())
		time.Sleep(2 * time.Millisecond)
	}
	relay := events.NewRelay(outbox, acceptAll{}, slog.New(slog.DiscardHandler))
	relay.Batch = 2
	if n, err := relay.Flush(ctx); err != nil || n != 2 {
		t.Fatalf("Flush = %d, %v; want 2", n, err)
	}
	before := time.Now()
	e.handle(t, registered(t, recorded[0]), registered(t, recorded[1]))

	res, err = e.client.GetEventStats(ctx, &analyticsv1.GetEventStatsRequest{})
	if err != nil {
		t.Fatalf("GetEventStats: %v", err)
	}
	if res.GetOutboxPending() != 1 || res.GetOutboxDelivered() != 2 {
		t.Errorf("outbox pending %d, delivered %d; want 1 and 2", res.GetOutboxPending(), res.GetOutboxDelivered())
	}
	if got := res.GetOldestPendingTime().AsTime(); got.Sub(recorded[2]).Abs() > time.Millisecond {
		t.Errorf("oldest pending %v, want %v", got, recorded[2])
	}
	if len(res.GetConsumers()) != 1 {
		t.Fatalf("consumers = %v, want one", res.GetConsumers())
	}
	c := res.GetConsumers()[0]
	last := c.GetLastProcessedTime().AsTime()
	if c.GetConsumer() != "analytics" || c.GetProcessed() != 2 ||
		last.Before(before.Add(-time.Second)) || last.After(time.Now().Add(time.Second)) {
		t.Errorf("consumer = %s, %d processed, last at %v; want analytics, 2, about %v", c.GetConsumer(), c.GetProcessed(), last, before)
	}
}
