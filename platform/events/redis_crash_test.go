package events_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uptrace/bun"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
)

// TestRedisConsumerCrash: a consumer dies holding a message it never
// acknowledged; another consumer of the same group claims it once it has
// been idle, and every event is applied exactly once.
func TestRedisConsumerCrash(t *testing.T) {
	url := redisURL(t)
	db := openDB(t, storage.SQLite)
	pfx := prefix(t)
	opts := func(name string) events.RedisOptions {
		return events.RedisOptions{Prefix: pfx, ConsumerName: name, MaxIdle: time.Second, ClaimInterval: 200 * time.Millisecond}
	}
	applied := &counter{db: db, consumer: "crash"}

	// Consumer a takes the first message and hangs on it, then "dies": its
	// connection to Redis goes away and it never acknowledges.
	clientA := newRedisClient(t, url)
	busA, err := events.NewRedisBus(clientA, quiet, opts("a"))
	if err != nil {
		t.Fatal(err)
	}
	routerA, err := events.NewRouter(busA, quiet)
	if err != nil {
		t.Fatal(err)
	}
	hung, die := make(chan string, 1), make(chan struct{})
	routerA.Subscribe("crash", "design.created", func(ctx context.Context, env *eventsv1.Envelope) error {
		select {
		case hung <- env.GetId():
		default:
		}
		<-die
		return errors.New("crashed")
	})
	ctxA, cancelA := context.WithCancel(context.Background())
	go func() { _ = routerA.Run(ctxA) }()
	<-routerA.Running()

	busP, err := events.NewRedisBus(newRedisClient(t, url), quiet, opts("relay"))
	if err != nil {
		t.Fatal(err)
	}
	relayCtx, stopRelay := context.WithCancel(context.Background())
	defer stopRelay()
	go func() { _ = events.NewRelay(db, busP.Publisher, quiet).Run(relayCtx) }()
	record(t, db, 20)

	var held string
	select {
	case held = <-hung:
	case <-time.After(30 * time.Second):
		t.Fatal("consumer a never received a message")
	}
	_ = clientA.Close()
	cancelA()

	// Consumer b of the same group picks up everything, the held message
	// included once it has been idle for MaxIdle.
	busB, err := events.NewRedisBus(newRedisClient(t, url), quiet, opts("b"))
	if err != nil {
		t.Fatal(err)
	}
	runPipelineConsumers(t, busB, applied)
	waitApplied(t, applied, 20, 60*time.Second)
	var n int
	if err := db.NewRaw("SELECT COUNT(*) FROM test_processed WHERE event_id = ?", held).Scan(t.Context(), &n); err != nil || n != 1 {
		t.Errorf("the message a held was applied %d times (%v), want once", n, err)
	}
	close(die)
}

// runPipelineConsumers starts a router with consumers on bus, stopped at
// the end of the test.
func runPipelineConsumers(t *testing.T, bus *events.Bus, consumers ...*counter) {
	t.Helper()
	router, err := events.NewRouter(bus, quiet)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range consumers {
		router.Subscribe(c.consumer, "design.created", c.handle)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = router.Run(ctx); close(done) }()
	<-router.Running()
	t.Cleanup(func() { cancel(); _ = router.Close(); <-done })
}

// TestBurst: a burst of events drains, each applied once, through each
// bus. (The 10,000-event burst into the analytics module is
// modules/analytics TestBurst.)
func TestBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("a burst of events")
	}
	const n = 2_000
	buses := map[string]func(t *testing.T, db *bun.DB) *events.Bus{
		"in-process": func(t *testing.T, db *bun.DB) *events.Bus { return events.NewInProcessBus(db, quiet) },
		"redis": func(t *testing.T, db *bun.DB) *events.Bus {
			bus, err := events.NewRedisBus(newRedisClient(t, redisURL(t)), quiet, events.RedisOptions{Prefix: prefix(t)})
			if err != nil {
				t.Fatal(err)
			}
			return bus
		},
	}
	for name, newBus := range buses {
		t.Run(name, func(t *testing.T) {
			db := openDB(t, storage.SQLite)
			c := &counter{db: db, consumer: "burst"}
			runPipeline(t, db, newBus(t, db), c)
			start := time.Now()
			record(t, db, n)
			waitApplied(t, c, n, 5*time.Minute)
			t.Logf("%d events drained in %v", n, time.Since(start))
		})
	}
}
