package events_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
)

// heard collects the aggregate ids a listener was handed, by event type.
type heard struct {
	mu  sync.Mutex
	ids map[string]map[string]int // type → aggregate → times
}

func (h *heard) listen(_ context.Context, env *eventsv1.Envelope) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ids == nil {
		h.ids = map[string]map[string]int{}
	}
	if h.ids[env.GetType()] == nil {
		h.ids[env.GetType()] = map[string]int{}
	}
	h.ids[env.GetType()][env.GetAggregateId()]++
}

// has reports an error until h heard every id of ids as typ.
func (h *heard) has(typ string, ids []string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range ids {
		if h.ids[typ][id] == 0 {
			return fmt.Errorf("%s of %s not heard (%d %s heard)", typ, id, len(h.ids[typ]), typ)
		}
	}
	return nil
}

func (h *heard) count(typ string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.ids[typ])
}

// startRouter runs a router on bus with consumer subscribed to
// design.created and l listening to design.created and user.registered,
// stopped at the end of the test.
func startRouter(t *testing.T, bus *events.Bus, consumer *counter, l *heard) {
	t.Helper()
	router, err := events.NewRouter(bus, quiet)
	if err != nil {
		t.Fatal(err)
	}
	router.Subscribe(consumer.consumer, "design.created", consumer.handle)
	router.Listen([]string{"design.created", "user.registered"}, l.listen)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = router.Run(ctx); close(done) }()
	select {
	case <-router.Running():
	case <-time.After(20 * time.Second):
		t.Fatal("router did not start")
	}
	t.Cleanup(func() {
		cancel()
		_ = router.Close()
		<-done
	})
}

// runRelay relays db's outbox to bus until the end of the test.
func runRelay(t *testing.T, db *bun.DB, bus *events.Bus) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = events.NewRelay(db, bus.Publisher, quiet).Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// recordUser records one user.registered event, a topic no consumer of
// these tests subscribes to.
func recordUser(t *testing.T, db *bun.DB) string {
	t.Helper()
	id := uuid.NewString()
	err := db.RunInTx(t.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := events.Record(ctx, tx, events.Event{AggregateID: id, Payload: &userv1.UserRegistered{UserId: id}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestListenOnEveryReplica: two processes (routers on buses of their own,
// one Redis) share a consumer group, which applies each event once between
// them, while each process's listener hears every event — also of a topic
// no consumer reads. Events published before a router ran are not heard.
func TestListenOnEveryReplica(t *testing.T) {
	url := redisURL(t)
	db := openDB(t, storage.SQLite)
	p := prefix(t)
	newBus := func(name string) *events.Bus {
		bus, err := events.NewRedisBus(newRedisClient(t, url), quiet, events.RedisOptions{Prefix: p, ConsumerName: name})
		if err != nil {
			t.Fatal(err)
		}
		return bus
	}
	busA, busB := newBus("a"), newBus("b")
	runRelay(t, db, busA)
	early := record(t, db, 5)
	testwait.Until(t, 30*time.Second, func() error {
		stats, err := events.Stats(t.Context(), db)
		if err != nil {
			return err
		}
		if stats.Pending != 0 {
			return fmt.Errorf("outbox not drained: %+v", stats)
		}
		return nil
	})

	group := &counter{db: db, consumer: "group"}
	var a, b heard
	startRouter(t, busA, group, &a)
	startRouter(t, busB, group, &b)
	ids := record(t, db, 200)
	user := recordUser(t, db)
	waitApplied(t, group, len(early)+len(ids), 60*time.Second)
	for name, l := range map[string]*heard{"a": &a, "b": &b} {
		testwait.Until(t, 30*time.Second, func() error {
			if err := l.has("design.created", ids); err != nil {
				return fmt.Errorf("replica %s: %w", name, err)
			}
			return l.has("user.registered", []string{user})
		})
		if n := l.count("design.created"); n != len(ids) {
			t.Errorf("replica %s heard %d designs, want the %d recorded after it started", name, n, len(ids))
		}
	}
}

// TestListenInProcess: on the in-process bus a listener hears every event
// of its types, beside the consumers, and those of a topic no consumer
// reads.
func TestListenInProcess(t *testing.T) {
	t.Parallel()
	db := openDB(t, storage.SQLite)
	bus := events.NewInProcessBus(db, quiet)
	c := &counter{db: db, consumer: "c"}
	var l heard
	startRouter(t, bus, c, &l)
	runRelay(t, db, bus)
	ids := record(t, db, 50)
	user := recordUser(t, db)
	waitApplied(t, c, len(ids), 30*time.Second)
	testwait.Until(t, 30*time.Second, func() error {
		if err := l.has("design.created", ids); err != nil {
			return err
		}
		return l.has("user.registered", []string{user})
	})
}
