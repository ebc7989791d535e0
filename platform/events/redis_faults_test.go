package events_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"

	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// startConsumers starts a router with consumers on bus, failing the test
// unless it is running within 5 s, and returns its stop function (also
// run at the end of the test).
func startConsumers(t *testing.T, bus *events.Bus, consumers ...*counter) (stop func()) {
	t.Helper()
	router, err := events.NewRouter(bus, quiet)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range consumers {
		router.SubscribeBatch(c.consumer, []string{"design.created"}, c.handleBatch)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = router.Run(ctx); close(done) }()
	select {
	case <-router.Running():
	case <-time.After(5 * time.Second):
		t.Fatal("the consumers did not start")
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			_ = router.Close()
			<-done
		}
	}
	t.Cleanup(stop)
	return stop
}

// startRelay runs the relay of db on bus until the end of the test.
func startRelay(t *testing.T, db *bun.DB, bus *events.Bus) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = events.NewRelay(db, bus.Publisher, quiet).Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// waitFor polls cond until it holds, failing the test after within.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRedisDownAtStart: the consumers start (Running) although Redis is
// down, events wait in the outbox, and once Redis starts every event is
// applied once.
func TestRedisDownAtStart(t *testing.T) {
	srv := storagetest.NewRedisServer(t, false) // not started yet
	db := openDB(t, storage.SQLite)
	bus, err := events.NewRedisBus(newRedisClient(t, srv.URL()), quiet, events.RedisOptions{Prefix: prefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	c := &counter{db: db, consumer: "analytics"}
	startConsumers(t, bus, c)
	startRelay(t, db, bus)
	record(t, db, 100)
	if stats, err := events.Stats(t.Context(), db); err != nil || stats.Pending != 100 {
		t.Fatalf("outbox while Redis is down: %+v, %v; want 100 pending", stats, err)
	}

	srv.Start()
	record(t, db, 20)
	waitApplied(t, c, 120, 60*time.Second)
}

// TestRedisLostData: Redis restarts without its data while one consumer
// runs and another is stopped with events delivered to it but not read.
// The running consumer's group is created again (no NOGROUP loop), and the
// epoch watch makes the relay deliver again what Redis lost: both
// consumers end with every event, each applied once.
func TestRedisLostData(t *testing.T) {
	srv := storagetest.NewRedisServer(t, false)
	srv.Start()
	db := openDB(t, storage.SQLite)
	pfx := prefix(t)
	client := newRedisClient(t, srv.URL())
	bus, err := events.NewRedisBus(client, quiet, events.RedisOptions{Prefix: pfx})
	if err != nil {
		t.Fatal(err)
	}
	a, b := &counter{db: db, consumer: "a"}, &counter{db: db, consumer: "b"}
	startConsumers(t, bus, a)
	stopB := startConsumers(t, bus, b)
	startRelay(t, db, bus)
	ctx, cancel := context.WithCancel(context.Background())
	watched := make(chan struct{})
	go func() {
		events.WatchRedisEpoch(ctx, client, db, quiet, events.EpochOptions{Prefix: pfx, Interval: 50 * time.Millisecond})
		close(watched)
	}()
	t.Cleanup(func() { cancel(); <-watched })

	record(t, db, 50)
	waitApplied(t, a, 50, 30*time.Second)
	waitApplied(t, b, 50, 30*time.Second)

	// b stops; 30 events reach Redis (delivered, for the relay) but not b.
	stopB()
	record(t, db, 30)
	waitApplied(t, a, 80, 30*time.Second)
	waitFor(t, 30*time.Second, "the outbox drains", func() bool {
		stats, err := events.Stats(t.Context(), db)
		return err == nil && stats.Pending == 0
	})

	srv.Stop()
	srv.Start() // empty
	record(t, db, 20)
	startConsumers(t, bus, b)
	waitApplied(t, a, 100, 60*time.Second)
	waitApplied(t, b, 100, 60*time.Second)
}

// TestRedisConsumerNames: restarting the consumer side does not add a
// consumer to the group each time. With the default (stable) name the
// group keeps one consumer; with a new name per start (a new host name,
// say) the idle consumers that are gone are removed, but never one that
// still holds a pending message.
func TestRedisConsumerNames(t *testing.T) {
	url := redisURL(t)
	client := newRedisClient(t, url)
	for _, tc := range []struct {
		name  string
		names []string // per start; "" is the default
		want  []string // the group's consumers in the end, "" for the default name
	}{
		{"StableName", []string{"", "", "", "", ""}, []string{"", "holder"}},
		{"NewNameEachStart", []string{"run-1", "run-2", "run-3", "run-4", "run-5"}, []string{"holder", "run-5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t, storage.SQLite)
			pfx := prefix(t)
			stream := pfx + events.Topic("design.created")
			c := &counter{db: db, consumer: "analytics"}
			relayBus, err := events.NewRedisBus(client, quiet, events.RedisOptions{Prefix: pfx})
			if err != nil {
				t.Fatal(err)
			}
			startRelay(t, db, relayBus)
			// holder takes a message and never acknowledges it.
			record(t, db, 1)
			if err := client.XGroupCreateMkStream(t.Context(), stream, c.consumer, "0").Err(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 60*time.Second, "holder reads a message", func() bool {
				res, err := client.XReadGroup(t.Context(), &redis.XReadGroupArgs{
					Group: c.consumer, Consumer: "holder", Streams: []string{stream, ">"}, Count: 1, Block: -1,
				}).Result()
				return err == nil && len(res) == 1 && len(res[0].Messages) == 1
			})
			for i, name := range tc.names {
				bus, err := events.NewRedisBus(client, quiet, events.RedisOptions{
					Prefix: pfx, ConsumerName: name, ForgetIdle: 200 * time.Millisecond,
					ClaimInterval: 50 * time.Millisecond, MaxIdle: time.Hour,
				})
				if err != nil {
					t.Fatal(err)
				}
				stop := startConsumers(t, bus, c)
				record(t, db, 1)
				waitApplied(t, c, i+1, 30*time.Second)
				if i < len(tc.names)-1 {
					stop()
				}
			}
			want := slices.Clone(tc.want)
			for i, name := range want {
				if name == "" {
					if want[i], err = os.Hostname(); err != nil {
						t.Fatal(err)
					}
				}
			}
			slices.Sort(want)
			var got []string
			waitFor(t, 60*time.Second, fmt.Sprintf("the group's consumers are %v", want), func() bool {
				consumers, err := client.XInfoConsumers(t.Context(), stream, c.consumer).Result()
				if err != nil {
					t.Fatal(err)
				}
				got = got[:0]
				for _, c := range consumers {
					got = append(got, c.Name)
				}
				slices.Sort(got)
				return slices.Equal(got, want)
			})
		})
	}
}
