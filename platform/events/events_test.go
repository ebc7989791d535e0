package events_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/uptrace/bun"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

func TestTopic(t *testing.T) {
	t.Parallel()
	for typ, want := range map[string]string{
		"design.created": "events.design", "design.deleted": "events.design",
		"order.paid": "events.order", "user.registered": "events.user",
	} {
		if got := events.Topic(typ); got != want {
			t.Errorf("Topic(%q) = %q, want %q", typ, got, want)
		}
	}
}

// TestRollbackRecordsNothing: an event recorded in a transaction that
// rolls back is never published.
func TestRollbackRecordsNothing(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := openDB(t, engine)
			boom := errors.New("boom")
			err := db.RunInTx(t.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
				if _, err := events.Record(ctx, tx, events.Event{Type: "design.deleted", AggregateID: "d1",
					Payload: &builderv1.DesignDeleted{DesignId: "d1"}}); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("tx = %v", err)
			}
			stats, err := events.Stats(t.Context(), db)
			if err != nil || stats.Pending != 0 || stats.Delivered != 0 {
				t.Errorf("outbox after rollback = %+v, %v; want empty", stats, err)
			}
		})
	}
}

// TestInProcessExactlyOnce: every event reaches each consumer's effect
// exactly once, also when the relay re-publishes (a crash between publish
// and marking delivered). "slow mark" stretches the time between the bus
// accepting a batch and the relay marking it delivered, as on a loaded
// machine, where a test waiting for the outbox rather than for the effect
// saw no re-delivery.
func TestInProcessExactlyOnce(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		for name, p := range map[string]pipeline{
			"":          {},
			"slow mark": {pub: func(p message.Publisher) message.Publisher { return slowPublisher{p, 300 * time.Millisecond} }},
		} {
			t.Run(strings.TrimSuffix(string(engine)+"/"+name, "/"), func(t *testing.T) {
				db := openDB(t, engine)
				bus := events.NewInProcessBus(db, quiet)
				a, b := &counter{db: db, consumer: "a"}, &counter{db: db, consumer: "b"}
				runPipelineWith(t, db, bus, p, a, b)
				record(t, db, 300)
				waitApplied(t, a, 300, 30*time.Second)
				waitApplied(t, b, 300, 30*time.Second)
				assertRedelivery(t, db, a, b)
			})
		}
	}
}

// slowPublisher returns from Publish a while after the bus accepted the
// messages.
type slowPublisher struct {
	message.Publisher
	delay time.Duration
}

func (p slowPublisher) Publish(topic string, msgs ...*message.Message) error {
	err := p.Publisher.Publish(topic, msgs...)
	time.Sleep(p.delay) // the slowness under test, not a wait for an effect
	return err
}

// assertRedelivery marks every event undelivered, so the relay publishes
// them all again, and checks that each consumer is handed every event
// again and that its effects do not change.
func assertRedelivery(t *testing.T, db *bun.DB, consumers ...*counter) {
	t.Helper()
	// The consumers applied everything, but the relay marks a batch
	// delivered only after that: a mark still to come would undo the
	// reset below.
	var recorded int64
	testwait.Until(t, 30*time.Second, func() error {
		stats, err := events.Stats(t.Context(), db)
		if err != nil {
			t.Fatal(err)
		}
		if stats.Pending != 0 {
			return fmt.Errorf("outbox not drained: %+v", stats)
		}
		recorded = stats.Delivered
		return nil
	})
	before := make([]int64, len(consumers))
	for i, c := range consumers {
		before[i] = c.calls.Load()
	}
	if _, err := db.NewRaw("UPDATE events_outbox SET delivered_at = NULL").Exec(t.Context()); err != nil {
		t.Fatal(err)
	}
	for i, c := range consumers {
		testwait.Until(t, 30*time.Second, func() error {
			if again := c.calls.Load() - before[i]; again < recorded {
				return fmt.Errorf("%s was handed %d of the %d events again: the redelivery did not happen", c.consumer, again, recorded)
			}
			return nil
		})
		if total, most := c.applied(t); int64(total) != recorded || most != 1 {
			t.Errorf("%s after the redelivery: %d events applied, an aggregate at most %d times; want %d, once", c.consumer, total, most, recorded)
		}
	}
}

// TestDeadLetter: an event a consumer keeps failing on goes to the
// dead-letter table after the retries, and the stream moves on.
func TestDeadLetter(t *testing.T) {
	db := openDB(t, storage.SQLite)
	bus := events.NewInProcessBus(db, quiet)
	router, err := events.NewRouter(bus, quiet)
	if err != nil {
		t.Fatal(err)
	}
	ok := &counter{db: db, consumer: "ok"}
	poisoned := ""
	router.Subscribe("ok", "design.created", func(ctx context.Context, env *eventsv1.Envelope) error {
		if poisoned == "" {
			poisoned = env.GetId()
		}
		if env.GetId() == poisoned {
			return errors.New("cannot apply")
		}
		return ok.handle(ctx, env)
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = router.Run(ctx) }()
	<-router.Running()
	relay := events.NewRelay(db, bus.Publisher, quiet)
	go func() { _ = relay.Run(ctx) }()
	record(t, db, 5)
	waitApplied(t, ok, 4, 30*time.Second)
	var letters []struct {
		ID       string `bun:"id"`
		Consumer string `bun:"consumer"`
	}
	if err := db.NewRaw("SELECT id, consumer FROM events_dead_letters").Scan(t.Context(), &letters); err != nil {
		t.Fatal(err)
	}
	if len(letters) != 1 || letters[0].Consumer != "ok" {
		t.Errorf("dead letters = %+v, want the one poisoned event of consumer ok", letters)
	}
	// The counts the metrics export (platform/metrics).
	testwait.Until(t, 30*time.Second, func() error {
		if got, want := router.Counts()["ok"], (events.ConsumerCounts{Processed: 4, DeadLettered: 1}); got != want || relay.Published() != 5 {
			return fmt.Errorf("counts %+v, published %d; want %+v, 5", got, relay.Published(), want)
		}
		return nil
	})
	_ = router.Close()
}

// TestRedisExactlyOnce: the same through Redis Streams, two consumer
// groups, with a re-publication.
func TestRedisExactlyOnce(t *testing.T) {
	url := redisURL(t)
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := openDB(t, engine)
			bus, err := events.NewRedisBus(newRedisClient(t, url), quiet, events.RedisOptions{Prefix: prefix(t)})
			if err != nil {
				t.Fatal(err)
			}
			a, b := &counter{db: db, consumer: "a"}, &counter{db: db, consumer: "b"}
			runPipeline(t, db, bus, a, b)
			record(t, db, 300)
			waitApplied(t, a, 300, 60*time.Second)
			waitApplied(t, b, 300, 60*time.Second)
			assertRedelivery(t, db, a, b)
		})
	}
}

// TestRedisOutage: Redis goes away while designs are recorded, and comes
// back: every event arrives, none is applied twice.
func TestRedisOutage(t *testing.T) {
	srv := newRedisServer(t)
	db := openDB(t, storage.SQLite)
	bus, err := events.NewRedisBus(newRedisClient(t, srv.url()), quiet, events.RedisOptions{Prefix: prefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	c := &counter{db: db, consumer: "analytics"}
	failed := newLogWatch("event relay: delivery failed; retrying")
	runPipelineWith(t, db, bus, pipeline{logger: slog.New(failed)}, c)
	record(t, db, 50)
	waitApplied(t, c, 50, 30*time.Second)

	srv.stop()
	record(t, db, 100) // recorded while Redis is down
	select {
	case <-failed.seen:
	case <-time.After(30 * time.Second):
		t.Fatal("the relay did not try to deliver while Redis was down")
	}
	if stats, err := events.Stats(t.Context(), db); err != nil || stats.Pending != 100 {
		t.Errorf("outbox while Redis is down = %+v, %v; want the 100 events pending", stats, err)
	}
	srv.start()
	record(t, db, 50)
	waitApplied(t, c, 200, 60*time.Second)
}
