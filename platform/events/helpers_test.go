package events_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

var quiet = slog.New(slog.DiscardHandler)

// redisURL returns the test Redis (storagetest.RedisURL).
func redisURL(t testing.TB) string { return storagetest.RedisURL(t) }

// newRedisClient returns a client of url, closed at the end of the test.
func newRedisClient(t testing.TB, url string) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// prefix is a stream prefix unique to one test.
func prefix(testing.TB) string {
	return "test-" + uuid.NewString()[:8] + ":"
}

// openDB opens a migrated database with the outbox and a test consumer's
// tables: processed events, and a count of applications per aggregate.
func openDB(t testing.TB, engine storage.Engine) *bun.DB {
	t.Helper()
	return openDSN(t, storagetest.DSN(t, engine))
}

// openDSN is openDB on the database dsn names.
func openDSN(t testing.TB, dsn string) *bun.DB {
	t.Helper()
	db, err := storage.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := storage.Migrate(t.Context(), db, quiet, events.Migrations()); err != nil {
		t.Fatal(err)
	}
	ts := storage.TimestampType(db)
	for _, stmt := range []string{
		events.ProcessedTableDDL("test_processed", ts),
		`CREATE TABLE test_counts (consumer TEXT NOT NULL, aggregate_id TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (consumer, aggregate_id))`,
	} {
		if _, err := db.ExecContext(t.Context(), stmt); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// counter is a test consumer: each event adds 1 to its aggregate's count,
// exactly once per event thanks to events.Once.
type counter struct {
	db       *bun.DB
	consumer string
	calls    atomic.Int64 // handler invocations, duplicates included
}

func (c *counter) handle(ctx context.Context, env *eventsv1.Envelope) error {
	c.calls.Add(1)
	_, err := events.Once(ctx, c.db, "test_processed", c.consumer, env, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewRaw(`INSERT INTO test_counts (consumer, aggregate_id, n) VALUES (?, ?, 1)
			ON CONFLICT (consumer, aggregate_id) DO UPDATE SET n = test_counts.n + 1`, c.consumer, env.GetAggregateId()).Exec(ctx)
		return err
	})
	return err
}

// handleBatch applies envs in one transaction, each event once
// (events.OnceEach).
func (c *counter) handleBatch(ctx context.Context, envs []*eventsv1.Envelope) error {
	c.calls.Add(int64(len(envs)))
	_, err := events.OnceEach(ctx, c.db, "test_processed", c.consumer, envs, func(ctx context.Context, tx bun.Tx, env *eventsv1.Envelope) error {
		_, err := tx.NewRaw(`INSERT INTO test_counts (consumer, aggregate_id, n) VALUES (?, ?, 1)
			ON CONFLICT (consumer, aggregate_id) DO UPDATE SET n = test_counts.n + 1`, c.consumer, env.GetAggregateId()).Exec(ctx)
		return err
	})
	return err
}

// applied returns how many events the consumer applied, and the largest
// count of any aggregate.
func (c *counter) applied(t testing.TB) (total, most int) {
	t.Helper()
	err := c.db.NewRaw(`SELECT COALESCE(SUM(n), 0), COALESCE(MAX(n), 0) FROM test_counts WHERE consumer = ?`, c.consumer).
		Scan(context.Background(), &total, &most)
	if err != nil {
		t.Fatal(err)
	}
	return total, most
}

// record records n design.created events, one aggregate each, in
// transactions of up to 1000.
func record(t testing.TB, db *bun.DB, n int) []string {
	t.Helper()
	var ids []string
	for done := 0; done < n; {
		batch := min(1000, n-done)
		err := db.RunInTx(t.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
			for range batch {
				id := uuid.NewString()
				if _, err := events.Record(ctx, tx, events.Event{
					Type: "design.created", AggregateID: id,
					Payload: &builderv1.DesignCreated{Design: &builderv1.DesignFacts{DesignId: id}},
				}); err != nil {
					return err
				}
				ids = append(ids, id)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		done += batch
	}
	return ids
}

// runPipeline starts consumers (a router) and a relay on bus, stopped at
// the end of the test.
func runPipeline(t *testing.T, db *bun.DB, bus *events.Bus, consumers ...*counter) {
	t.Helper()
	runPipelineWith(t, db, bus, pipeline{}, consumers...)
}

// pipeline varies the relay of runPipelineWith; the zero value is
// NewRelay's defaults.
type pipeline struct {
	logger *slog.Logger                              // the relay's; nil discards
	relay  func(*events.Relay)                       // adjusts the relay before it runs
	pub    func(message.Publisher) message.Publisher // wraps the bus's publisher
}

// runPipelineWith is runPipeline with the relay varied by p.
func runPipelineWith(t *testing.T, db *bun.DB, bus *events.Bus, p pipeline, consumers ...*counter) {
	t.Helper()
	router, err := events.NewRouter(bus, quiet)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range consumers {
		router.Subscribe(c.consumer, "design.created", c.handle)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { _ = router.Run(ctx); done <- struct{}{} }()
	select {
	case <-router.Running():
	case <-time.After(20 * time.Second):
		t.Fatal("router did not start")
	}
	logger, pub := p.logger, bus.Publisher
	if logger == nil {
		logger = quiet
	}
	if p.pub != nil {
		pub = p.pub(pub)
	}
	relay := events.NewRelay(db, pub, logger)
	if p.relay != nil {
		p.relay(relay)
	}
	go func() { _ = relay.Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() {
		cancel()
		_ = router.Close()
		<-done
		<-done
	})
}

// waitApplied waits until c applied want events, failing at once if it
// applied one twice or more than want.
func waitApplied(t *testing.T, c *counter, want int, within time.Duration) {
	t.Helper()
	testwait.Until(t, within, func() error {
		total, most := c.applied(t)
		if most > 1 {
			t.Fatalf("%s applied an event twice (an aggregate counted %d times)", c.consumer, most)
		}
		if total > want {
			t.Fatalf("%s applied %d events, want %d", c.consumer, total, want)
		}
		if total < want {
			return fmt.Errorf("%s applied %d events, want %d", c.consumer, total, want)
		}
		return nil
	})
}

// logWatch is a slog handler that closes seen at the first record whose
// message is msg: for waiting until a component reports a state.
type logWatch struct {
	msg  string
	seen chan struct{}
	once *sync.Once
}

func newLogWatch(msg string) logWatch {
	return logWatch{msg: msg, seen: make(chan struct{}), once: &sync.Once{}}
}

func (w logWatch) Enabled(context.Context, slog.Level) bool { return true }

func (w logWatch) Handle(_ context.Context, r slog.Record) error {
	if r.Message == w.msg {
		w.once.Do(func() { close(w.seen) })
	}
	return nil
}

func (w logWatch) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w logWatch) WithGroup(string) slog.Handler      { return w }

// redisServer is a private redis-server that keeps its data across a
// stop and a start (storagetest.RedisServer), started.
type redisServer struct{ *storagetest.RedisServer }

func newRedisServer(t *testing.T) *redisServer {
	t.Helper()
	s := &redisServer{storagetest.NewRedisServer(t, true)}
	s.Start()
	return s
}

func (s *redisServer) url() string { return s.URL() }
func (s *redisServer) start()      { s.Start() }
func (s *redisServer) stop()       { s.Stop() }
