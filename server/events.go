package server

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/harnesshero/platform/platform/events"
)

// eventsWiring is the process's event pipeline: the outbox relay and the
// consumers' router on one bus.
type eventsWiring struct {
	bus *events.Bus
	// relays publish the outboxes, one per database (ADR 0030).
	relays      []relayOn
	router      *events.Router
	redis       *redis.Client
	subscribers []func(*events.Router)
	cancel      context.CancelFunc
	wg          sync.WaitGroup
}

// relayOn is the relay of one database's outbox.
type relayOn struct {
	relay *events.Relay
	db    *database
}

// busName is the bus cfg selects.
func busName(cfg Config) string {
	if cfg.RedisURL != "" {
		return "redis-streams"
	}
	return "in-process"
}

// openBus builds the bus the modules served here publish to and consume
// from: Redis Streams with REDIS_URL, else the in-process bus on the
// database. It is built before the modules, which may report on it.
func (p *Platform) openBus() error {
	w := &p.events
	if p.cfg.RedisURL == "" {
		w.bus = events.NewInProcessBus(p.db, p.logger)
		return nil
	}
	opts, err := redis.ParseURL(p.cfg.RedisURL)
	if err != nil {
		return fmt.Errorf("server: REDIS_URL: %w", err)
	}
	w.redis = redis.NewClient(opts)
	// go-redis logs every failed dial itself; while Redis is down the
	// relay and the consumers report it once, so its lines go to debug.
	redis.SetLogger(redisLogger{p.logger})
	w.bus, err = events.NewRedisBus(w.redis, p.logger, events.RedisOptions{Prefix: p.cfg.EventStreamPrefix})
	return err
}

// wireEvents builds the relay of this process's outbox and the router of
// its consumers on the bus. Start runs them.
func (p *Platform) wireEvents(ctx context.Context) error {
	w := &p.events
	if w.bus == nil {
		return nil // no module served here records or consumes events
	}
	router, err := events.NewRouter(w.bus, p.logger, p.routerOptions()...)
	if err != nil {
		return err
	}
	w.router = router
	for _, subscribe := range w.subscribers {
		subscribe(router)
	}
	if p.cfg.RedisURL == "" && len(w.subscribers) == 0 {
		// An in-process bus with no consumer (Config.Validate rejects a
		// split without Redis; this guards a table without consumers):
		// delivering would drop the events, so they stay in the outbox.
		p.logger.WarnContext(ctx, "events are kept in the outbox: no consumer in this process and no REDIS_URL")
		return nil
	}
	for _, d := range p.databases {
		w.relays = append(w.relays, relayOn{relay: events.NewRelay(d.db, w.bus.Publisher, p.logger), db: d})
	}
	return nil
}

// Start runs the background workers: the advice's recording of this
// process's metrics, the event consumers first (an in-process
// bus delivers only to subscribers already there), then the relay, and on
// Redis the watch for Redis losing its data. It does not wait for Redis:
// while Redis is down the platform serves, events stay in the outbox, and
// the relay and the consumers connect when Redis comes back.
func (p *Platform) Start() error {
	p.advisor.start()
	w := &p.events
	if w.bus == nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	if len(w.subscribers) > 0 {
		w.wg.Go(func() {
			if err := w.router.Run(ctx); err != nil {
				p.logger.Error("event router stopped", "error", err)
			}
		})
		select {
		case <-w.router.Running():
		case <-time.After(30 * time.Second):
			return fmt.Errorf("server: event consumers did not start")
		}
	}
	for _, r := range w.relays {
		w.wg.Go(func() { _ = r.relay.Run(ctx) })
		if w.redis != nil {
			// Redis restarted without its data: deliver again what it lost.
			w.wg.Go(func() {
				events.WatchRedisEpoch(ctx, w.redis, r.db.db, p.logger, events.EpochOptions{Prefix: p.cfg.EventStreamPrefix})
			})
		}
	}
	return nil
}

// stopEvents stops the workers and closes the bus.
func (p *Platform) stopEvents() {
	w := &p.events
	if w.cancel != nil {
		w.cancel()
	}
	if w.router != nil {
		_ = w.router.Close()
	}
	w.wg.Wait()
	if w.bus != nil {
		_ = w.bus.Close()
	}
	if w.redis != nil {
		_ = w.redis.Close()
	}
}

// redisLogger passes go-redis's own log lines to the platform's logger, at
// debug level.
type redisLogger struct{ logger *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.logger.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
