package events_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/uptrace/bun"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
	"github.com/harnesshero/platform/platform/events"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// busNames are the buses the benchmarks run on: "redis-pipelined" is the
// Redis bus with the relay publishing through events.RedisPublisher.
var busNames = []string{"in-process", "redis", "redis-pipelined"}

// benchBus returns the bus named name for a benchmark, and the publisher
// the relay is to use.
func benchBus(b *testing.B, name string, db *bun.DB) (*events.Bus, message.Publisher) {
	if name == "in-process" {
		bus := events.NewInProcessBus(db, quiet)
		return bus, bus.Publisher
	}
	client, pre := newRedisClient(b, redisURL(b)), prefix(b)
	bus, err := events.NewRedisBus(client, quiet, events.RedisOptions{Prefix: pre})
	if err != nil {
		b.Fatal(err)
	}
	if name == "redis-pipelined" {
		return bus, prefixed{events.NewRedisPublisher(client), pre}
	}
	return bus, bus.Publisher
}

// benchPipeline runs a relay and a consumer that applies each event once
// (in the same database) and reports its latency from recording to
// applying on applied.
func benchPipeline(b *testing.B, engine storage.Engine, name string, applied chan<- time.Duration) *bun.DB {
	db := openDB(b, engine)
	bus, pub := benchBus(b, name, db)
	c := &counter{db: db, consumer: "bench"}
	router, err := events.NewRouter(bus, quiet)
	if err != nil {
		b.Fatal(err)
	}
	router.Subscribe("bench", events.DesignCreated, func(ctx context.Context, env *eventsv1.Envelope) error {
		if err := c.handle(ctx, env); err != nil {
			return err
		}
		applied <- time.Since(env.GetOccurTime().AsTime())
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _ = router.Run(ctx) }()
	<-router.Running()
	go func() { _ = events.NewRelay(db, pub, quiet).Run(ctx) }()
	b.Cleanup(func() { cancel(); _ = router.Close() })
	return db
}

// benchEach runs fn for every engine and bus.
func benchEach(b *testing.B, fn func(b *testing.B, engine storage.Engine, bus string)) {
	for _, engine := range storagetest.Engines(b) {
		for _, bus := range busNames {
			b.Run(string(engine)+"/"+bus, func(b *testing.B) { fn(b, engine, bus) })
		}
	}
}

// BenchmarkThroughput: a burst of b.N events recorded at once, drained
// through outbox → bus → consumer. Reports events per second. Run:
//
//	go test -run=^$ -bench=Throughput -benchtime=10000x ./events
func BenchmarkThroughput(b *testing.B) {
	benchEach(b, func(b *testing.B, engine storage.Engine, name string) {
		applied := make(chan time.Duration, b.N)
		db := benchPipeline(b, engine, name, applied)
		b.ResetTimer()
		start := time.Now()
		record(b, db, b.N)
		for range b.N {
			<-applied
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
	})
}

// BenchmarkRelay: the relay's share alone: b.N events already in the
// outbox, moved to the bus (with no consumer) by Flush until none is
// pending. Reports events per second. Run:
//
//	go test -run=^$ -bench=Relay -benchtime=10000x ./events
func BenchmarkRelay(b *testing.B) {
	benchEach(b, func(b *testing.B, engine storage.Engine, name string) {
		db := openDB(b, engine)
		bus, pub := benchBus(b, name, db)
		b.Cleanup(func() { _ = bus.Close() })
		record(b, db, b.N)
		relay := events.NewRelay(db, pub, quiet)
		b.ResetTimer()
		start := time.Now()
		for total := 0; total < b.N; {
			n, err := relay.Flush(b.Context())
			if err != nil {
				b.Fatal(err)
			}
			total += n
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
	})
}

// BenchmarkLatency: one event at a time, each recorded in its own
// transaction; reports the latency from recording to the consumer's effect,
// p50 and p99. Run:
//
//	go test -run=^$ -bench=Latency -benchtime=1000x ./events
func BenchmarkLatency(b *testing.B) {
	benchEach(b, func(b *testing.B, engine storage.Engine, name string) {
		applied := make(chan time.Duration, 1)
		db := benchPipeline(b, engine, name, applied)
		latencies := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for range b.N {
			record(b, db, 1)
			latencies = append(latencies, <-applied)
		}
		b.StopTimer()
		slices.Sort(latencies)
		b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
	})
}
