package events_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/events"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	"github.com/harnesshero/platform/storage"
	"github.com/harnesshero/platform/storage/storagetest"
)

func TestTopic(t *testing.T) {
	t.Parallel()
	for typ, want := range map[string]string{
		events.DesignCreated: "events.design", events.DesignDeleted: "events.design",
		events.OrderPaid: "events.order", events.UserRegistered: "events.user",
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
				if _, err := events.Record(ctx, tx, events.Event{Type: events.DesignDeleted, AggregateID: "d1",
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
// and marking delivered).
func TestInProcessExactlyOnce(t *testing.T) {
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := openDB(t, engine)
			bus := events.NewInProcessBus(db, quiet)
			a, b := &counter{db: db, consumer: "a"}, &counter{db: db, consumer: "b"}
			runPipeline(t, db, bus, a, b)
			record(t, db, 300)
			waitApplied(t, a, 300, 30*time.Second)
			waitApplied(t, b, 300, 30*time.Second)
			assertRedelivery(t, db, a, b)
		})
	}
}

// assertRedelivery marks every event undelivered, so the relay publishes
// them all again, and checks the consumers' effects do not change.
func assertRedelivery(t *testing.T, db *bun.DB, consumers ...*counter) {
	t.Helper()
	// The relay marks events delivered after the consumers applied them:
	// wait for its marks, or they would overwrite the reset below.
	drain := func() {
		deadline := time.Now().Add(30 * time.Second)
		for {
			stats, err := events.Stats(t.Context(), db)
			if err != nil {
				t.Fatal(err)
			}
			if stats.Pending == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("outbox not drained: %+v", stats)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	drain()
	before := make([]int64, len(consumers))
	for i, c := range consumers {
		before[i] = c.calls.Load()
	}
	if _, err := db.NewRaw("UPDATE events_outbox SET delivered_at = NULL").Exec(t.Context()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		stats, err := events.Stats(t.Context(), db)
		if err != nil {
			t.Fatal(err)
		}
		if stats.Pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox not drained: %+v", stats)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i, c := range consumers {
		total, _ := c.applied(t)
		waitApplied(t, c, total, time.Second)
		if c.calls.Load() == before[i] {
			t.Errorf("%s was not handed the events again: the redelivery did not happen", c.consumer)
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
	router.Subscribe("ok", events.DesignCreated, func(ctx context.Context, env *eventsv1.Envelope) error {
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
	runPipeline(t, db, bus, c)
	record(t, db, 50)
	waitApplied(t, c, 50, 30*time.Second)

	srv.stop()
	record(t, db, 100) // recorded while Redis is down
	time.Sleep(500 * time.Millisecond)
	if stats, _ := events.Stats(t.Context(), db); stats.Pending == 0 {
		t.Error("events were marked delivered while Redis was down")
	}
	srv.start()
	record(t, db, 50)
	waitApplied(t, c, 200, 60*time.Second)
}
