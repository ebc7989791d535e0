package events_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/uptrace/bun"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
)

// buses are the two buses, for table tests: new returns the bus and a
// function listing its dead letters ("event id/consumer").
var buses = []struct {
	name string
	new  func(t *testing.T, db *bun.DB) (*events.Bus, func() []string)
}{
	{"in-process", func(t *testing.T, db *bun.DB) (*events.Bus, func() []string) {
		return events.NewInProcessBus(db, quiet), func() []string {
			var ids []string
			if err := db.NewRaw("SELECT id FROM events_dead_letters").Scan(t.Context(), &ids); err != nil {
				t.Fatal(err)
			}
			return ids
		}
	}},
	{"redis", func(t *testing.T, db *bun.DB) (*events.Bus, func() []string) {
		pfx, client := prefix(t), newRedisClient(t, redisURL(t))
		bus, err := events.NewRedisBus(client, quiet, events.RedisOptions{Prefix: pfx})
		if err != nil {
			t.Fatal(err)
		}
		return bus, func() []string {
			msgs, err := client.XRange(t.Context(), pfx+events.DeadLetterTopic, "-", "+").Result()
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, m := range msgs {
				wm, err := redisstream.DefaultMarshallerUnmarshaller{}.Unmarshal(m.Values)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, wm.UUID+"/"+wm.Metadata.Get("consumer"))
			}
			return ids
		}
	}},
}

// TestBatches: a burst reaches a batch handler in batches (fewer calls
// than events), each event applied once, on each bus.
func TestBatches(t *testing.T) {
	const n = 2_000
	for _, bus := range buses {
		t.Run(bus.name, func(t *testing.T) {
			db := openDB(t, storage.SQLite)
			c := &counter{db: db, consumer: "batches"}
			var (
				mu           sync.Mutex
				calls, large int
			)
			b, _ := bus.new(t, db)
			router, err := events.NewRouter(b, quiet)
			if err != nil {
				t.Fatal(err)
			}
			router.SubscribeBatch(c.consumer, []string{"design.created"}, func(ctx context.Context, envs []*eventsv1.Envelope) error {
				mu.Lock()
				calls++
				large = max(large, len(envs))
				mu.Unlock()
				return c.handleBatch(ctx, envs)
			})
			runRouter(t, router)
			startRelay(t, db, b)
			record(t, db, n)
			waitApplied(t, c, n, 2*time.Minute)
			mu.Lock()
			defer mu.Unlock()
			if calls > n/4 || large < 100 {
				t.Errorf("%d events came in %d calls, the largest of %d; want batches", n, calls, large)
			}
		})
	}
}

// TestDeadLetterInBatch: an event a batch handler keeps failing on goes to
// the dead-letter queue alone, after the retries, and the other events of
// its batch are applied, on each bus.
func TestDeadLetterInBatch(t *testing.T) {
	for _, bus := range buses {
		t.Run(bus.name, func(t *testing.T) {
			db := openDB(t, storage.SQLite)
			c := &counter{db: db, consumer: "ok"}
			ids := make(chan string, 1)
			b, deadLetters := bus.new(t, db)
			router, err := events.NewRouter(b, quiet)
			if err != nil {
				t.Fatal(err)
			}
			router.SubscribeBatch(c.consumer, []string{"design.created"}, func(ctx context.Context, envs []*eventsv1.Envelope) error {
				poisoned := <-ids
				ids <- poisoned
				for _, env := range envs {
					if env.GetAggregateId() == poisoned {
						return errors.New("cannot apply")
					}
				}
				return c.handleBatch(ctx, envs)
			})
			// The events are recorded before the consumers run, so that
			// they come as one batch.
			recorded := record(t, db, 5)
			ids <- recorded[2]
			runRouter(t, router)
			startRelay(t, db, b)
			waitApplied(t, c, 4, 30*time.Second)
			var dead []string
			waitFor(t, 30*time.Second, "one dead letter", func() bool {
				dead = deadLetters()
				return len(dead) >= 1
			})
			if len(dead) != 1 || !strings.HasSuffix(dead[0], "/ok") {
				t.Errorf("dead letters = %v, want the one poisoned event of consumer ok", dead)
			}
		})
	}
}

// runRouter runs router until the end of the test.
func runRouter(t *testing.T, router *events.Router) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = router.Run(ctx); close(done) }()
	select {
	case <-router.Running():
	case <-time.After(10 * time.Second):
		t.Fatal("router did not start")
	}
	t.Cleanup(func() { cancel(); _ = router.Close(); <-done })
}

// TestInProcessConsumersStopped: once the in-process consumers stopped
// (shutdown), the relay cannot hand them events: the events stay in the
// outbox, and reach the consumers when a router runs again.
func TestInProcessConsumersStopped(t *testing.T) {
	db := openDB(t, storage.SQLite)
	bus := events.NewInProcessBus(db, quiet)
	c := &counter{db: db, consumer: "stopped"}
	relay := events.NewRelay(db, bus.Publisher, quiet)
	stop := startConsumers(t, bus, c)
	record(t, db, 5)
	if _, err := relay.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	waitApplied(t, c, 5, 10*time.Second)

	stop()
	record(t, db, 5)
	if n, err := relay.Flush(t.Context()); err == nil || n != 0 {
		t.Errorf("Flush with the consumers stopped = %d, %v; want 0 and an error", n, err)
	}
	if stats, err := events.Stats(t.Context(), db); err != nil || stats.Pending != 5 {
		t.Fatalf("outbox = %+v, %v; want 5 pending", stats, err)
	}

	startConsumers(t, bus, c)
	if _, err := relay.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	waitApplied(t, c, 10, 10*time.Second)
}
